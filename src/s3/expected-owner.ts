/**
 * x-amz-expected-bucket-owner, on every bucket and object operation, and
 * x-amz-source-expected-bucket-owner on a copy's source: the caller names whose bucket it
 * means, and a bucket owned by anyone else is refused with 403 AccessDenied (as S3 does),
 * so a request never lands in a bucket that was deleted and taken by another user.
 */
import { readBucket } from '../../stanchion/reader.js';
import type { BucketRecord } from '../../stanchion/core/records.js';
import type { RequestContext } from './context.js';
import { S3Error } from './errors.js';
import type { S3Operation } from './operation.js';

function headerValue(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** AccessDenied when the request's header names someone other than the bucket's owner. */
export function checkBucketOwnerHeader(
  ctx: RequestContext,
  bucket: BucketRecord,
  header: 'x-amz-expected-bucket-owner' | 'x-amz-source-expected-bucket-owner',
): void {
  const expected = headerValue(ctx, header);
  if (expected !== undefined && expected !== bucket.ownerId) {
    throw new S3Error('AccessDenied', `The bucket is not owned by the ${header}.`);
  }
}

/**
 * Checks x-amz-expected-bucket-owner before any handler runs (one bucket read, only when the
 * header is sent). A missing bucket is left to the handler's NoSuchBucket; CreateBucket
 * has no owner to compare.
 */
export async function checkExpectedBucketOwner(
  ctx: RequestContext,
  op: S3Operation,
): Promise<void> {
  if (!('bucket' in op) || op.name === 'CreateBucket') return;
  if (headerValue(ctx, 'x-amz-expected-bucket-owner') === undefined) return;
  const bucket = await readBucket(ctx.deps.ring, op.bucket);
  if (bucket) checkBucketOwnerHeader(ctx, bucket, 'x-amz-expected-bucket-owner');
}
