/**
 * What a bucket's S3 Object Ownership setting and Block Public Access configuration make of
 * the ACL a write asks for: who owns the new object, whether the ACL may be set at all, and
 * whether it is refused for being public. Pure: e-mail grantees are resolved by the caller
 * before the final checks, so a grant to the bucket owner by e-mail counts as one by id.
 */
import {
  aclsDisabled,
  isPublicAcl,
  type ObjectOwnership,
  type PublicAccessBlock,
} from '../../../stanchion/core/bucket-controls.js';
import type { AccessControlList } from '../../../stanchion/core/records.js';
import { S3Error } from '../../http/errors.js';
import type { AclRequest } from './acl.js';

/** The parts of a bucket these rules read. */
export interface OwnershipBucket {
  ownerId: string;
  objectOwnership?: ObjectOwnership;
  publicAccessBlock?: PublicAccessBlock;
}

/**
 * The owner of an object a request writes: the bucket owner with BucketOwnerEnforced, or
 * with BucketOwnerPreferred when the writer sends the bucket-owner-full-control canned ACL;
 * otherwise the writer. An anonymous writer's object belongs to the bucket owner, who would
 * otherwise have an object in their bucket that nobody can manage.
 */
export function newObjectOwnerId(
  bucket: OwnershipBucket,
  writerId: string | undefined,
  request: AclRequest,
): string {
  if (writerId === undefined) return bucket.ownerId;
  switch (bucket.objectOwnership) {
    case 'BucketOwnerEnforced':
      return bucket.ownerId;
    case 'BucketOwnerPreferred':
      return request.kind === 'canned' && request.name === 'bucket-owner-full-control'
        ? bucket.ownerId
        : writerId;
    default:
      return writerId;
  }
}

/** Whether a list grants FULL_CONTROL to the bucket owner and nothing else. */
export function isBucketOwnerFullControl(acl: AccessControlList, bucketOwnerId: string): boolean {
  return (
    acl.grants.length > 0 &&
    acl.grants.every(
      ({ grantee, permission }) =>
        grantee.type === 'CanonicalUser' &&
        grantee.id === bucketOwnerId &&
        permission === 'FULL_CONTROL',
    )
  );
}

/**
 * With ACLs disabled (BucketOwnerEnforced) a write may name no ACL, the
 * bucket-owner-full-control canned ACL, or grants that say the same (`grants`, resolved);
 * anything else is AccessControlListNotSupported, as S3 answers.
 */
export function checkWriteAclAllowed(
  bucket: OwnershipBucket,
  request: AclRequest,
  grants?: AccessControlList,
): void {
  if (!aclsDisabled(bucket)) return;
  if (request.kind === 'none') return;
  if (request.kind === 'canned' && request.name === 'bucket-owner-full-control') return;
  if (request.kind === 'grants' && grants && isBucketOwnerFullControl(grants, bucket.ownerId)) {
    return;
  }
  throw new S3Error('AccessControlListNotSupported');
}

/** BlockPublicAcls: a request that sets a public ACL is refused (AccessDenied). */
export function checkNotBlocked(bucket: OwnershipBucket, acl: AccessControlList): void {
  if (bucket.publicAccessBlock?.blockPublicAcls && isPublicAcl(acl)) {
    throw new S3Error('AccessDenied', 'Access Denied: BlockPublicAcls refuses a public ACL.');
  }
}
