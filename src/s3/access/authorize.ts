/**
 * The one access decision every S3 request goes through: given the action an operation
 * needs, who asks, the bucket (owner, ACL, policy) and, for object reads, the object's ACL,
 * allow or deny. The order is AWS's: the bucket owner may always read and write the bucket's
 * ACL and policy, and an object's owner its ACL (so no policy can lock them out); otherwise
 * an explicit Deny in the policy wins; then an Allow from the policy or from an ACL grant;
 * otherwise AccessDenied. A bucket's Object Ownership and Block Public Access settings only
 * take away: with ACLs disabled no grant counts (the bucket owner owns every object),
 * IgnorePublicAcls voids group grants, and RestrictPublicBuckets leaves a public policy
 * allowing nobody but the bucket owner.
 * Pure: the handlers' helper (handlers/access.ts) reads the records and calls this.
 */
import { isPublicGrantee } from '../../../stanchion/core/bucket-controls.js';
import type { AccessControlList, Permission } from '../../../stanchion/core/records.js';
import { aclPermits, privateAcl, type Requester } from './acl.js';
import { evaluatePolicy, type ConditionContext, type Policy } from './policy.js';

/** How an action is granted. */
interface ActionRule {
  /** What the action acts on: the bucket's ARN or an object's. */
  resource: 'bucket' | 'object';
  /** The ACL grant that allows it; none: only the bucket owner or a policy may. */
  acl?: { on: 'bucket' | 'object'; permission: Permission };
  /** The bucket owner may always, whatever the policy says (ACL and policy admin). */
  ownerAlways?: true;
  /** The object's owner may always (its ACL: S3 owners keep READ_ACP and WRITE_ACP). */
  objectOwnerAlways?: true;
  /** Nobody but the bucket owner, whatever a policy allows (policy admin, DeleteBucket). */
  ownerOnly?: true;
}

const BUCKET_READ = { on: 'bucket', permission: 'READ' } as const;
const BUCKET_WRITE = { on: 'bucket', permission: 'WRITE' } as const;
const OBJECT_READ = { on: 'object', permission: 'READ' } as const;

/**
 * Every action Cairn checks, with the ACL permission that grants it (AWS's mapping of ACL
 * permissions to actions). Object tag writes need bucket WRITE, the right to replace the
 * object itself; bucket configuration (CORS, tags, versioning, location) is the owner's.
 */
export const ACTIONS = {
  's3:ListBucket': { resource: 'bucket', acl: BUCKET_READ },
  's3:ListBucketVersions': { resource: 'bucket', acl: BUCKET_READ },
  's3:ListBucketMultipartUploads': { resource: 'bucket', acl: BUCKET_READ },
  's3:PutObject': { resource: 'object', acl: BUCKET_WRITE },
  's3:DeleteObject': { resource: 'object', acl: BUCKET_WRITE },
  's3:AbortMultipartUpload': { resource: 'object', acl: BUCKET_WRITE },
  's3:ListMultipartUploadParts': { resource: 'object', acl: BUCKET_WRITE },
  's3:PutObjectTagging': { resource: 'object', acl: BUCKET_WRITE },
  's3:DeleteObjectTagging': { resource: 'object', acl: BUCKET_WRITE },
  's3:GetObject': { resource: 'object', acl: OBJECT_READ },
  's3:GetObjectTagging': { resource: 'object', acl: OBJECT_READ },
  's3:GetObjectAttributes': { resource: 'object', acl: OBJECT_READ },
  // The same requests naming one version (?versionId=): AWS checks these instead, and its
  // ACL mapping grants them as it grants the unversioned ones (version-actions.ts).
  's3:GetObjectVersion': { resource: 'object', acl: OBJECT_READ },
  's3:GetObjectVersionTagging': { resource: 'object', acl: OBJECT_READ },
  's3:GetObjectVersionAttributes': { resource: 'object', acl: OBJECT_READ },
  's3:DeleteObjectVersion': { resource: 'object', acl: BUCKET_WRITE },
  's3:PutObjectVersionTagging': { resource: 'object', acl: BUCKET_WRITE },
  's3:DeleteObjectVersionTagging': { resource: 'object', acl: BUCKET_WRITE },
  's3:GetObjectVersionAcl': {
    resource: 'object',
    acl: { on: 'object', permission: 'READ_ACP' },
    objectOwnerAlways: true,
  },
  's3:PutObjectVersionAcl': {
    resource: 'object',
    acl: { on: 'object', permission: 'WRITE_ACP' },
    objectOwnerAlways: true,
  },
  's3:GetObjectAcl': {
    resource: 'object',
    acl: { on: 'object', permission: 'READ_ACP' },
    objectOwnerAlways: true,
  },
  's3:PutObjectAcl': {
    resource: 'object',
    acl: { on: 'object', permission: 'WRITE_ACP' },
    objectOwnerAlways: true,
  },
  's3:GetBucketAcl': {
    resource: 'bucket',
    acl: { on: 'bucket', permission: 'READ_ACP' },
    ownerAlways: true,
  },
  's3:PutBucketAcl': {
    resource: 'bucket',
    acl: { on: 'bucket', permission: 'WRITE_ACP' },
    ownerAlways: true,
  },
  's3:GetBucketPolicy': { resource: 'bucket', ownerAlways: true, ownerOnly: true },
  's3:PutBucketPolicy': { resource: 'bucket', ownerAlways: true, ownerOnly: true },
  's3:DeleteBucketPolicy': { resource: 'bucket', ownerAlways: true, ownerOnly: true },
  's3:DeleteBucket': { resource: 'bucket', ownerOnly: true },
  's3:GetBucketLocation': { resource: 'bucket' },
  's3:GetBucketVersioning': { resource: 'bucket' },
  's3:PutBucketVersioning': { resource: 'bucket' },
  's3:GetBucketTagging': { resource: 'bucket' },
  's3:PutBucketTagging': { resource: 'bucket' },
  's3:GetBucketCORS': { resource: 'bucket' },
  's3:PutBucketCORS': { resource: 'bucket' },
  's3:GetEncryptionConfiguration': { resource: 'bucket' },
  's3:GetLifecycleConfiguration': { resource: 'bucket' },
  's3:PutLifecycleConfiguration': { resource: 'bucket' },
  's3:PutEncryptionConfiguration': { resource: 'bucket' },
  's3:GetBucketWebsite': { resource: 'bucket' },
  's3:PutBucketWebsite': { resource: 'bucket' },
  's3:DeleteBucketWebsite': { resource: 'bucket' },
  's3:GetBucketOwnershipControls': { resource: 'bucket' },
  's3:PutBucketOwnershipControls': { resource: 'bucket' },
  's3:GetBucketPublicAccessBlock': { resource: 'bucket' },
  's3:PutBucketPublicAccessBlock': { resource: 'bucket' },
  's3:GetBucketPolicyStatus': { resource: 'bucket' },
  // Object lock: the bucket owner's, or granted by a policy; no ACL grants them (as AWS).
  's3:GetBucketObjectLockConfiguration': { resource: 'bucket' },
  's3:PutBucketObjectLockConfiguration': { resource: 'bucket' },
  's3:GetObjectRetention': { resource: 'object' },
  's3:PutObjectRetention': { resource: 'object' },
  's3:GetObjectLegalHold': { resource: 'object' },
  's3:PutObjectLegalHold': { resource: 'object' },
  's3:BypassGovernanceRetention': { resource: 'object' },
} as const satisfies Record<string, ActionRule>;

/** An action a request may need. */
export type S3Action = keyof typeof ACTIONS;

/** The bucket as a decision needs it. */
export interface BucketAccess {
  name: string;
  ownerId: string;
  /** Absent: private (the owner holds FULL_CONTROL). */
  acl?: AccessControlList;
  policy?: Policy;
  /** BucketOwnerEnforced: no ACL counts, and the bucket owner owns every object. */
  aclsDisabled?: boolean;
  /** IgnorePublicAcls: grants to AllUsers and AuthenticatedUsers allow nothing. */
  ignorePublicAcls?: boolean;
  /** RestrictPublicBuckets with a public policy: the policy allows only the bucket owner. */
  restrictPolicyToOwner?: boolean;
}

/** One question: may `requester` do `action` here? */
export interface AccessRequest {
  action: S3Action;
  requester: Requester;
  bucket: BucketAccess;
  /** The object key, for object actions. */
  key?: string;
  /** The object's ACL, for actions its ACL governs; absent: private to the bucket owner. */
  objectAcl?: AccessControlList;
  context: ConditionContext;
}

/** Why a decision came out as it did (for logs and tests). */
export type AccessReason = 'owner' | 'policy-deny' | 'policy-allow' | 'acl' | 'no-grant';

/** The decision and its reason. */
export interface AccessDecision {
  allowed: boolean;
  reason: AccessReason;
}

/** The ARN a request acts on. */
export function resourceArn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** Decides one request. */
export function authorize(request: AccessRequest): AccessDecision {
  const rule: ActionRule = ACTIONS[request.action];
  const { bucket, requester } = request;
  const isOwner = requester.id !== undefined && requester.id === bucket.ownerId;
  if (rule.ownerAlways && isOwner) return { allowed: true, reason: 'owner' };
  const objectOwnerId = bucket.aclsDisabled
    ? bucket.ownerId
    : (request.objectAcl?.ownerId ?? bucket.ownerId);
  if (rule.objectOwnerAlways && requester.id === objectOwnerId) {
    return { allowed: true, reason: 'owner' };
  }
  if (rule.ownerOnly && !isOwner) return denied();
  const verdict = bucket.policy
    ? evaluatePolicy(bucket.policy, {
        ...(requester.id !== undefined ? { principalId: requester.id } : {}),
        action: request.action,
        resource: resourceArn(bucket.name, rule.resource === 'object' ? request.key : undefined),
        context: request.context,
      })
    : 'None';
  if (verdict === 'Deny') return { allowed: false, reason: 'policy-deny' };
  if (verdict === 'Allow' && (isOwner || !bucket.restrictPolicyToOwner)) {
    return { allowed: true, reason: 'policy-allow' };
  }
  if (!rule.acl) return isOwner ? { allowed: true, reason: 'owner' } : denied();
  const acl = effectiveAcl(rule.acl.on === 'bucket' ? bucket.acl : request.objectAcl, bucket);
  return aclPermits(acl, requester, rule.acl.permission)
    ? { allowed: true, reason: 'acl' }
    : denied();
}

/** The list that counts: none but the owner's with ACLs disabled, public grants ignored. */
function effectiveAcl(stored: AccessControlList | undefined, bucket: BucketAccess) {
  if (bucket.aclsDisabled || !stored) return privateAcl(bucket.ownerId);
  if (!bucket.ignorePublicAcls) return stored;
  return { ...stored, grants: stored.grants.filter((grant) => !isPublicGrantee(grant.grantee)) };
}

function denied(): AccessDecision {
  return { allowed: false, reason: 'no-grant' };
}
