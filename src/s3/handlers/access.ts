/**
 * The handlers' door to the pure access decision (access/authorize.ts): reads the bucket
 * and, for object reads, the object's manifest, gathers the request's facts (who, from
 * which address, over which transport) and throws AccessDenied when the answer is no.
 * Every check runs before a handler reads a body or writes anything, so a refused request
 * changes nothing.
 */
import { readBucket } from '../../../stanchion/reader.js';
import type { BucketRecord } from '../../../stanchion/core/records.js';
import type { Manifest } from '../../objects/manifest.js';
import type { Requester } from '../access/acl.js';
import { authorize, type BucketAccess, type S3Action } from '../access/authorize.js';
import { parsePolicy, type ConditionContext } from '../access/policy.js';
import type { RequestContext } from '../context.js';
import { S3Error } from '../errors.js';

const LIST_ACTIONS: ReadonlySet<S3Action> = new Set([
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
]);

/** Who asks: the signed user's canonical id, or nobody. */
export function requesterOf(ctx: RequestContext): Requester {
  return ctx.user ? { id: ctx.user.id } : {};
}

function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The facts policy conditions test, for one request and action. */
export function conditionContextOf(ctx: RequestContext, action: S3Action): ConditionContext {
  const context: ConditionContext = {
    'aws:sourceip': ctx.request.ip,
    'aws:securetransport': ctx.request.protocol === 'https' ? 'true' : 'false',
  };
  const set = (key: keyof ConditionContext, value: string | null | undefined) => {
    if (value !== undefined && value !== null) context[key] = value;
  };
  set('aws:referer', header(ctx, 'referer'));
  set('aws:useragent', header(ctx, 'user-agent'));
  set('s3:x-amz-acl', header(ctx, 'x-amz-acl'));
  if (LIST_ACTIONS.has(action)) {
    // A listing without a prefix lists from the root: its prefix is "" (as in AWS).
    set('s3:prefix', ctx.query.get('prefix') ?? '');
    set('s3:delimiter', ctx.query.get('delimiter'));
    set('s3:max-keys', ctx.query.get('max-keys'));
  }
  return context;
}

/** The bucket as the decision needs it: its stored policy parsed (once per request). */
export function bucketAccessOf(bucket: BucketRecord): BucketAccess {
  const access: BucketAccess = { name: bucket.name, ownerId: bucket.ownerId };
  if (bucket.acl) access.acl = bucket.acl;
  if (bucket.policy !== undefined) {
    try {
      access.policy = parsePolicy(bucket.policy, bucket.name);
    } catch (error) {
      // Policies are validated before they are stored: this one is corrupt, a bug.
      throw new Error(`stored policy of bucket ${bucket.name} is unreadable`, { cause: error });
    }
  }
  return access;
}

/**
 * Whether the request may do `action` on the bucket (or on `key` in it). A caller deciding
 * many keys passes `access` (bucketAccessOf) so the policy is parsed once.
 */
export function mayAccess(
  ctx: RequestContext,
  bucket: BucketRecord,
  action: S3Action,
  object: { key?: string; manifest?: Manifest } = {},
  access: BucketAccess = bucketAccessOf(bucket),
): boolean {
  const decision = authorize({
    action,
    requester: requesterOf(ctx),
    bucket: access,
    ...(object.key !== undefined ? { key: object.key } : {}),
    ...(object.manifest?.acl ? { objectAcl: object.manifest.acl } : {}),
    context: conditionContextOf(ctx, action),
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
  const bucket = await readBucket(ctx.deps.ring, name);
  if (!bucket) throw S3Error.noSuchBucket(name);
  const expectedOwner = header(ctx, ownerHeader);
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
): Promise<BucketRecord> {
  const bucket = await existingBucket(ctx, name);
  if (!mayAccess(ctx, bucket, action, key === undefined ? {} : { key })) {
    throw new S3Error('AccessDenied');
  }
  return bucket;
}

/**
 * The current manifest of `key`, once the request may do `action` (an action the object's
 * own ACL governs). A missing key is NoSuchKey only to those who may list the bucket, as in
 * S3; to anyone else it is AccessDenied, so keys cannot be probed.
 */
export async function authorizedObject(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  action: S3Action,
): Promise<Manifest> {
  const manifest = await ctx.deps.objects.head(bucket.id, key);
  if (!manifest) {
    if (mayAccess(ctx, bucket, 's3:ListBucket')) throw S3Error.noSuchKey(key);
    throw new S3Error('AccessDenied');
  }
  if (!mayAccess(ctx, bucket, action, { key, manifest })) throw new S3Error('AccessDenied');
  return manifest;
}

/** The signed user of a request; AccessDenied for an anonymous one. */
export function signedUser(ctx: RequestContext) {
  if (!ctx.user) throw new S3Error('AccessDenied', 'Anonymous access is not allowed.');
  return ctx.user;
}
