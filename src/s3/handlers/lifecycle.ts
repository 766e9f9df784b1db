/**
 * Bucket lifecycle (?lifecycle): Put/Get/DeleteBucketLifecycleConfiguration. The rules live
 * in the bucket's settings record (objects/bucket-settings.ts), like CORS: they need
 * convergence, not stanchion's global order, and the lifecycle worker reads them where it
 * reads the bucket's objects. The document is validated whole before anything is stored.
 */
import { readBucketSettings, writeBucketSetting } from '../../objects/bucket-settings.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { parseLifecycleXml, renderLifecycle } from '../lifecycle-xml.js';
import { authorizedBucket } from './access.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest LifecycleConfiguration accepted, in bytes (1,000 rules fit in well under it). */
export const LIFECYCLE_BYTES_MAX = 2 * 1024 * 1024;

/** GET /bucket?lifecycle */
export async function getBucketLifecycle(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetLifecycleConfiguration');
  const { lifecycle } = await readBucketSettings(ctx.deps.ring, bucket.id);
  if (!lifecycle || lifecycle.length === 0) {
    throw new S3Error('NoSuchLifecycleConfiguration', undefined, {
      fields: { BucketName: bucketName },
    });
  }
  sendXml(ctx, 200, renderLifecycle(lifecycle));
}

/** PUT /bucket?lifecycle */
export async function putBucketLifecycle(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutLifecycleConfiguration');
  const body = await readSmallBody(ctx, LIFECYCLE_BYTES_MAX);
  const rules = parseLifecycleXml(body.toString('utf8'));
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'lifecycle', rules, write);
  ctx.deps.bucketSettings?.forget(bucket.id);
  sendEmpty(ctx, 200);
}

/** DELETE /bucket?lifecycle: 204 whether or not there was a configuration, as S3. */
export async function deleteBucketLifecycle(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutLifecycleConfiguration');
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'lifecycle', null, write);
  ctx.deps.bucketSettings?.forget(bucket.id);
  sendEmpty(ctx, 204);
}
