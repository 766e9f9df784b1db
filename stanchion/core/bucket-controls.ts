/**
 * The bucket settings that decide who may do what beside the ACL itself (S3 Object
 * Ownership and Block Public Access), and the rules that tie them to ACLs and policies.
 * They are decided here, in stanchion's one order, because a permission write lost or
 * reordered is unsafe: a PutBucketAcl(public-read) racing a PutPublicAccessBlock must never
 * leave a public ACL on a bucket that blocks them, nor an ACL granting others on a bucket
 * whose ACLs were just disabled. Pure; never reads the clock or the ring.
 */
import type { RefusalCode } from './commands.js';
import type { ObjectOwnership } from './bucket-control-types.js';
import type { AccessControlList, BucketRecord, Grantee } from './records.js';

// The setting types live in bucket-control-types.ts so that records.ts and commands.ts need
// not import this file (which imports them); re-exported for existing callers.
export {
  OBJECT_OWNERSHIPS,
  type ObjectOwnership,
  type PublicAccessBlock,
} from './bucket-control-types.js';

/** The groups whose grants make an ACL public (AWS's definition). */
export const PUBLIC_GROUP_URIS: ReadonlySet<string> = new Set([
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
]);

/** Whether a grantee is one of the public groups. */
export function isPublicGrantee(grantee: Grantee): boolean {
  return grantee.type === 'Group' && PUBLIC_GROUP_URIS.has(grantee.uri);
}

/** Whether a list grants anything to everyone or to every signed user. */
export function isPublicAcl(acl: AccessControlList): boolean {
  return acl.grants.some((grant) => isPublicGrantee(grant.grantee));
}

/** Whether every grant of a list is to its owner: nothing reaches beyond the owner. */
export function isOwnerOnlyAcl(acl: AccessControlList): boolean {
  return acl.grants.every(
    ({ grantee }) => grantee.type === 'CanonicalUser' && grantee.id === acl.ownerId,
  );
}

function grantKey({ grantee, permission }: AccessControlList['grants'][number]): string {
  const who = grantee.type === 'Group' ? `G ${grantee.uri}` : `U ${grantee.id}`;
  return `${who} ${permission}`;
}

/** Whether two lists say the same (same owner, same grants in any order). */
export function sameAcl(a: AccessControlList, b: AccessControlList): boolean {
  if (a.ownerId !== b.ownerId || a.grants.length !== b.grants.length) return false;
  const left = a.grants.map(grantKey).sort();
  const right = b.grants.map(grantKey).sort();
  return left.every((key, i) => key === right[i]);
}

/** The list of a bucket without a stored one: its owner holds FULL_CONTROL. */
export function bucketAclOf(bucket: BucketRecord): AccessControlList {
  return (
    bucket.acl ?? {
      ownerId: bucket.ownerId,
      grants: [
        { grantee: { type: 'CanonicalUser', id: bucket.ownerId }, permission: 'FULL_CONTROL' },
      ],
    }
  );
}

/** Why a command is refused. */
export interface Refusal {
  code: RefusalCode;
  detail: string;
}

/** Whether BucketOwnerEnforced disables the bucket's ACLs. */
export function aclsDisabled(bucket: { objectOwnership?: ObjectOwnership }): boolean {
  return bucket.objectOwnership === 'BucketOwnerEnforced';
}

/** A new bucket: with its ACLs disabled, it may not start with an ACL granting others. */
export function newBucketRefusal(bucket: BucketRecord): Refusal | undefined {
  if (aclsDisabled(bucket) && bucket.acl && !isOwnerOnlyAcl(bucket.acl)) {
    return {
      code: 'InvalidBucketAclWithObjectOwnership',
      detail: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    };
  }
  return undefined;
}

/**
 * A create of a bucket its creator already owns, where S3 answers 200 for legacy clients
 * (us-east-1): accepted, changing nothing, when it asks for what the bucket already has;
 * refused as BucketAlreadyExists when it asks for another ACL or ownership setting.
 */
export function recreateRefusal(
  existing: BucketRecord,
  requested: BucketRecord,
): Refusal | undefined {
  const ownershipDiffers =
    requested.objectOwnership !== undefined &&
    requested.objectOwnership !== (existing.objectOwnership ?? 'ObjectWriter');
  if (ownershipDiffers || !sameAcl(bucketAclOf(existing), bucketAclOf(requested))) {
    return { code: 'BucketAlreadyExists', detail: `${existing.name}: different settings` };
  }
  return undefined;
}

/** A PutBucketAcl: refused while ACLs are disabled, or public while public ACLs are blocked. */
export function aclChangeRefusal(
  bucket: BucketRecord,
  acl: AccessControlList,
): Refusal | undefined {
  if (aclsDisabled(bucket)) {
    return { code: 'AccessControlListNotSupported', detail: 'The bucket does not allow ACLs' };
  }
  if (bucket.publicAccessBlock?.blockPublicAcls && isPublicAcl(acl)) {
    return { code: 'AccessDenied', detail: 'BlockPublicAcls refuses a public ACL' };
  }
  return undefined;
}

/** A PutBucketPolicy: a public one is refused while public policies are blocked. */
export function policyChangeRefusal(bucket: BucketRecord, isPublic: boolean): Refusal | undefined {
  if (isPublic && bucket.publicAccessBlock?.blockPublicPolicy) {
    return { code: 'AccessDenied', detail: 'BlockPublicPolicy refuses a public policy' };
  }
  return undefined;
}

/** A PutBucketOwnershipControls: ACLs are disabled only once they grant nobody else. */
export function ownershipChangeRefusal(
  bucket: BucketRecord,
  ownership: ObjectOwnership | null,
): Refusal | undefined {
  if (ownership === 'BucketOwnerEnforced' && !isOwnerOnlyAcl(bucketAclOf(bucket))) {
    return {
      code: 'InvalidBucketAclWithObjectOwnership',
      detail: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    };
  }
  return undefined;
}

/** The record with one optional field set, or removed when `value` is null. */
export function withSetting<
  K extends 'objectOwnership' | 'publicAccessBlock' | 'policy' | 'versioning',
>(bucket: BucketRecord, field: K, value: NonNullable<BucketRecord[K]> | null): BucketRecord {
  const next: BucketRecord = { ...bucket };
  if (value === null) delete next[field];
  else next[field] = value;
  return next;
}
