/**
 * Bucket operations. Reads (HeadBucket, GetBucketLocation) come from the ring; mutations
 * (CreateBucket, DeleteBucket) are decided by stanchion, whose refusals map to S3 errors.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { deleteBucketSettings } from '../../objects/bucket-settings.js';
import { readSmallBody } from '../../http/body.js';
import { checkBucketName } from '../bucket-name.js';
import type { S3Context } from '../../http/context.js';
import { parseObjectOwnershipHeader } from '../access/bucket-controls-xml.js';
import { S3Error } from '../../http/errors.js';
import { parseRequestXml, renderXml } from '../../http/xml.js';
import { requestedAcl } from './acl.js';
import { authorizedBucket, signedUser } from './access.js';
import { throwIfRefused } from './refusal.js';
import { sendEmpty, sendXml } from './responses.js';

const CONFIGURATION_BYTES_MAX = 64 * 1024;

/**
 * PUT /bucket (s3:CreateBucket: any signed user). An x-amz-acl or x-amz-grant-* ACL and an
 * x-amz-object-ownership setting are part of the one create-bucket command, so the bucket
 * never exists without them. Its owner creating it again is answered as S3 does: 200 and
 * nothing changed in us-east-1 (S3's legacy region; refused if it asks for another ACL),
 * BucketAlreadyOwnedByYou in any other region.
 */
export async function createBucket(ctx: S3Context, name: string): Promise<void> {
  const user = signedUser(ctx);
  checkBucketName(name);
  const acl = await requestedAcl(ctx, user.id, user.id);
  const ownership = header(ctx, 'x-amz-object-ownership');
  const body = await readSmallBody(ctx, CONFIGURATION_BYTES_MAX);
  if (body.length > 0) {
    checkConfiguration(parseRequestXml(body.toString('utf8')), ctx.deps.config.region);
  }
  const bucket: BucketRecord = {
    name,
    id: ctx.deps.newId(),
    ownerId: user.id,
    createdAtMs: ctx.deps.clock(),
  };
  if (acl) bucket.acl = acl;
  if (ownership !== undefined) bucket.objectOwnership = parseObjectOwnershipHeader(ownership);
  // Object lock at creation: versioning Enabled with it, in the one create command.
  if (header(ctx, 'x-amz-bucket-object-lock-enabled')?.trim().toLowerCase() === 'true') {
    Object.assign(bucket, { versioning: 'Enabled', objectLock: { enabled: true } });
  }
  const result = await ctx.deps.stanchion.execute({
    type: 'create-bucket',
    bucket,
    onOwnExisting: ctx.deps.config.region === LEGACY_REGION ? 'accept-unchanged' : 'refuse',
  });
  throwIfRefused(result, name);
  sendEmpty(ctx, 200, { location: `/${name}` });
}

/** The region where S3 answers an owner's re-create with 200 (for legacy clients). */
const LEGACY_REGION = 'us-east-1';

function header(ctx: S3Context, name: string): string | undefined {
  const value = ctx.request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The CreateBucketConfiguration body. Its LocationConstraint must name this endpoint's
 * region (or nothing): a bucket asked for elsewhere would not be there, so it is refused as
 * S3 refuses it, rather than created here as if it were (Riak CS ignored it).
 */
function checkConfiguration(doc: Record<string, unknown>, region: string): void {
  const config = doc['CreateBucketConfiguration'];
  if (config === undefined || (typeof config !== 'object' && config !== '')) {
    throw new S3Error('MalformedXML');
  }
  const location =
    typeof config === 'object'
      ? (config as Record<string, unknown>)['LocationConstraint']
      : undefined;
  if (location === undefined || location === '' || location === region) return;
  if (typeof location !== 'string') throw new S3Error('MalformedXML');
  throw new S3Error(
    'IllegalLocationConstraintException',
    `The ${location} location constraint is incompatible for the region specific endpoint ` +
      `this request was sent to (${region}).`,
  );
}

/** HEAD /bucket (s3:ListBucket) */
export async function headBucket(ctx: S3Context, name: string): Promise<void> {
  await authorizedBucket(ctx, name, 's3:ListBucket');
  sendEmpty(ctx, 200, { 'x-amz-bucket-region': ctx.deps.config.region });
}

/**
 * DELETE /bucket (s3:DeleteBucket): only when empty, decided from the bucket's own index
 * (a one-item scan of its manifests, never a listing of keys). A PUT that raced the
 * decision is swept after.
 */
export async function deleteBucket(ctx: S3Context, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:DeleteBucket');
  const first = await ctx.deps.objects.scan(bucket.id, { limit: 1 });
  const result = await ctx.deps.stanchion.execute({
    type: 'delete-bucket',
    name,
    requesterId: signedUser(ctx).id,
    isEmpty: first.length === 0,
  });
  throwIfRefused(result, name);
  await ctx.deps.objects.sweepBucket(bucket.id);
  // Best effort: orphaned settings are harmless, a new bucket of this name gets a new id.
  await deleteBucketSettings(ctx.deps.ring, bucket.id).catch(() => undefined);
  sendEmpty(ctx, 204);
}

/** GET /bucket?location (s3:GetBucketLocation) */
export async function getBucketLocation(ctx: S3Context, name: string): Promise<void> {
  await authorizedBucket(ctx, name, 's3:GetBucketLocation');
  const region = ctx.deps.config.region;
  const xml = renderXml('LocationConstraint', { '#text': region === 'us-east-1' ? '' : region });
  sendXml(ctx, 200, xml);
}
