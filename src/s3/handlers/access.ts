/**
 * The handlers' door to the pure access decision (access/authorize.ts): reads the bucket
 * and, for object reads, the object's manifest, gathers the request's facts (who, from
 * which address, over which transport) and throws AccessDenied when the answer is no.
 * Every check runs before a handler reads a body or writes anything, so a refused request
 * changes nothing.
 */
import { aclsDisabled } from '../../../stanchion/core/bucket-controls.js';
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { bucketNamed } from '../../cache/lookups.js';
import type { Manifest } from '../../objects/manifest.js';
import type { Requester } from '../access/acl.js';
import { authorize, type BucketAccess, type S3Action } from '../access/authorize.js';
import { parsePolicy } from '../access/policy.js';
import { actionFor } from '../access/version-actions.js';
import { isPublicPolicy } from '../access/public-policy.js';
import type { RequestContext } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { findObjectVersion } from '../object-version.js';
import { conditionContextOf, type PolicyFacts } from './policy-context.js';

/** Who asks: the signed user's canonical id, or nobody. */
export function requesterOf(ctx: RequestContext): Requester {
  return ctx.user ? { id: ctx.user.id } : {};
}

/**
 * What a stored policy this version cannot read means: a Deny of everything, but what the
 * bucket owner may always do (read, replace or delete the policy). An older Cairn may have
 * accepted a policy that is now refused (a `${…}` it took literally); failing open could
 * drop a Deny, and answering 500 on every request would lock the owner out of fixing it.
 */
const UNREADABLE_POLICY = parsePolicy(
  '{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}',
  'any',
);

/**
 * The bucket as the decision needs it: compiled once per cached record (the front end's
 * cache holds it, `records`), else once per request.
 */
export function bucketAccessOf(
  bucket: BucketRecord,
  records?: { accessOf(bucket: BucketRecord): unknown },
): BucketAccess {
  // The cache sits below the S3 API and holds what front-end.ts compiles into it:
  // compileBucketAccess's answer, so this is the one place that names its type.
  const cached = records?.accessOf(bucket) as BucketAccess | undefined;
  return cached ?? compileBucketAccess(bucket);
}

/**
 * The bucket as the decision needs it: its stored policy parsed, and what its Object
 * Ownership and Block Public Access settings take away from ACLs and a public policy.
 */
export function compileBucketAccess(bucket: BucketRecord): BucketAccess {
  const access: BucketAccess = { name: bucket.name, ownerId: bucket.ownerId };
  if (bucket.acl) access.acl = bucket.acl;
  if (aclsDisabled(bucket)) access.aclsDisabled = true;
  const block = bucket.publicAccessBlock;
  if (block?.ignorePublicAcls) access.ignorePublicAcls = true;
  if (block?.restrictPublicBuckets && bucket.policy !== undefined) {
    access.restrictPolicyToOwner = isPublicPolicy(bucket.policy);
  }
  if (bucket.policy !== undefined) {
    try {
      access.policy = parsePolicy(bucket.policy, bucket.name);
    } catch (error) {
      if (!(error instanceof S3Error)) {
        throw new Error(`stored policy of bucket ${bucket.name} is unreadable`, { cause: error });
      }
      access.policy = UNREADABLE_POLICY;
    }
  }
  return access;
}

/**
 * Whether the request may do `action` on the bucket (or on `key` in it). A caller deciding
 * many keys passes `access` (bucketAccessOf) so the policy is parsed once; `facts` are what
 * the handler knows that policy conditions test beyond the request (policy-context.ts).
 */
export function mayAccess(
  ctx: RequestContext,
  bucket: BucketRecord,
  action: S3Action,
  object: { key?: string; manifest?: Manifest } = {},
  access: BucketAccess = bucketAccessOf(bucket, ctx.deps.records),
  facts: PolicyFacts = {},
): boolean {
  const existingTags = object.manifest ? { existingTags: object.manifest.tags ?? [] } : {};
  const decision = authorize({
    action,
    requester: requesterOf(ctx),
    bucket: access,
    ...(object.key !== undefined ? { key: object.key } : {}),
    ...(object.manifest?.acl ? { objectAcl: object.manifest.acl } : {}),
    context: conditionContextOf(ctx, action, { ...existingTags, ...facts }),
  });
  return decision.allowed;
}

/**
 * The bucket named `name`; NoSuchBucket when there is none, AccessDenied when the request's
 * `ownerHeader` (x-amz-expected-bucket-owner, or x-amz-source-expected-bucket-owner for a
 * copy source) names another owner, as in S3.
 */
export async function existingBucket(
  ctx: RequestContext,
  name: string,
  ownerHeader = 'x-amz-expected-bucket-owner',
): Promise<BucketRecord> {
  const bucket = await bucketNamed(ctx.deps, ctx.request, name);
  if (!bucket) throw S3Error.noSuchBucket(name);
  const raw = ctx.request.headers[ownerHeader];
  const expectedOwner = Array.isArray(raw) ? raw.join(',') : raw;
  if (expectedOwner !== undefined && expectedOwner !== bucket.ownerId) {
    throw new S3Error('AccessDenied');
  }
  return bucket;
}

/**
 * The bucket named `name`, once the request may do `action` on it (or on `key` in it):
 * NoSuchBucket, then AccessDenied.
 */
export async function authorizedBucket(
  ctx: RequestContext,
  name: string,
  action: S3Action,
  key?: string,
  facts: PolicyFacts = {},
): Promise<BucketRecord> {
  const bucket = await existingBucket(ctx, name);
  const object = key === undefined ? {} : { key };
  if (!mayAccess(ctx, bucket, action, object, bucketAccessOf(bucket, ctx.deps.records), facts)) {
    throw new S3Error('AccessDenied');
  }
  return bucket;
}

/**
 * The current manifest of `key` (or, given `versionId`, that version), once the request may
 * do `action` (an action the object's own ACL governs). A missing key is NoSuchKey (a
 * missing version NoSuchVersion) only to those who may list the bucket, as in S3 — a
 * listing that would show the key: from the root, or with the key as its prefix, so a
 * policy's `s3:prefix` conditions apply — and to anyone else AccessDenied, so keys cannot
 * be probed. A delete marker answers as S3 does (object-version.ts).
 */
export async function authorizedObject(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  action: S3Action,
  facts: PolicyFacts = {},
  versionId?: string | null,
): Promise<Manifest> {
  const found = await findObjectVersion(ctx.deps.objects, bucket.id, key, versionId ?? undefined);
  const access = bucketAccessOf(bucket, ctx.deps.records);
  if (!found.manifest) {
    const mayList = (prefix: string) =>
      mayAccess(ctx, bucket, 's3:ListBucket', {}, access, { prefix });
    if (mayList(key) || mayList('')) throw found.missing;
    throw new S3Error('AccessDenied');
  }
  const manifest = found.manifest;
  if (!mayAccess(ctx, bucket, actionFor(action, versionId), { key, manifest }, access, facts)) {
    throw new S3Error('AccessDenied');
  }
  return manifest;
}

/** The signed user of a request; AccessDenied for an anonymous one. */
export function signedUser(ctx: RequestContext) {
  if (!ctx.user) throw new S3Error('AccessDenied', 'Anonymous access is not allowed.');
  return ctx.user;
}
