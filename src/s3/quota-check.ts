/**
 * Quota enforcement on the S3 write paths (PUT, CopyObject, PostObject, UploadPart and
 * CompleteMultipartUpload). The limits come with the bucket and owner records the request
 * already holds, so a write to a bucket without quotas costs nothing more. With a quota, the
 * usage is read before the body is stored and the decision runs right before the manifest
 * commit, with the new size and the version it replaces: a refused write stores nothing
 * (its blocks go to GC) and answers 403 QuotaExceeded, RGW's code.
 */
import type { BucketRecord, UserRecord } from '../../stanchion/core/records.js';
import { bucketNamed, userById } from '../cache/lookups.js';
import type { S3Context } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import type { Manifest } from '../objects/manifest.js';
import type { Precondition } from '../objects/object-store.js';
import { breachMessage, quotaBreach, writeDelta } from '../usage/core/quota-decision.js';
import type { Usage } from '../usage/core/storage-delta.js';

/** A write's quota check: throws QuotaExceeded when the write would pass a limit. */
export interface QuotaGuard {
  /** Checks a write of `size` bytes replacing `current` (at the commit). */
  check(current: Manifest | undefined, size: number): void;
  /** Checks a part of `size` bytes: only its bytes count, objects count at the Complete. */
  checkPart(size: number): void;
}

/**
 * The quota guard of a write into `bucket` (its owner's quota and its own), or undefined
 * when neither has one. The owner, not the writer, is charged, as RGW charges the bucket
 * owner.
 */
export async function quotaGuardOf(
  ctx: S3Context,
  bucket: BucketRecord,
): Promise<QuotaGuard | undefined> {
  const quotas = ctx.deps.quotas;
  if (!quotas) return undefined;
  const owner = await ownerOf(ctx, bucket);
  if (!bucket.quota && !owner?.quota) return undefined;
  const bucketUsage = bucket.quota ? await quotas.bucketUsage(bucket) : undefined;
  const userUsage = owner?.quota ? await quotas.userUsage(bucket.ownerId) : undefined;
  const decide = (delta: Usage) => {
    const breach =
      (bucketUsage && quotaBreach('bucket', bucket.quota, bucketUsage, delta)) ??
      (userUsage && quotaBreach('user', owner?.quota, userUsage, delta));
    if (breach) {
      throw new S3Error('QuotaExceeded', breachMessage(breach), {
        fields: { BucketName: bucket.name },
      });
    }
  };
  const keepsOld = bucket.versioning === 'Enabled';
  return {
    check: (current, size) => decide(writeDelta(current?.size, size, keepsOld)),
    checkPart: (size) => decide({ objects: 0, bytes: size }),
  };
}

/**
 * `precondition` (If-Match and the like) followed by the quota check, as one precondition
 * for the object layer; either may be absent.
 */
export function withQuotaCheck(
  precondition: Precondition | undefined,
  guard: QuotaGuard | undefined,
): Precondition | undefined {
  if (!guard) return precondition;
  return (current, size) => {
    precondition?.(current, size);
    if (size !== undefined) guard.check(current, size);
  };
}

/**
 * The body size a request declares (x-amz-decoded-content-length for aws-chunked bodies,
 * else Content-Length), for a check before any byte is stored; undefined when unknown.
 */
export function declaredSize(headers: S3Context['request']['headers']): number | undefined {
  const raw = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : undefined;
}

async function ownerOf(ctx: S3Context, bucket: BucketRecord): Promise<UserRecord | undefined> {
  if (ctx.user?.id === bucket.ownerId) return ctx.user;
  return userById(ctx.deps, ctx.request, bucket.ownerId);
}

/**
 * Refuses a write whose declared size already passes a quota, before its body is stored
 * (the check at the commit still decides, with the size actually written).
 */
export async function checkDeclaredSize(
  ctx: S3Context,
  guard: QuotaGuard | undefined,
  bucketId: string,
  key: string,
): Promise<void> {
  const size = declaredSize(ctx.request.headers);
  if (!guard || size === undefined) return;
  guard.check(await ctx.deps.objects.head(bucketId, key), size);
}

/**
 * The guard of an UploadPart into `bucketName` (whose access was checked with the upload),
 * after refusing a part whose declared size alone passes a byte quota. Parts are not in the
 * counters until the Complete, which checks the whole object: this only stops early an
 * upload that cannot fit (RGW checks each part too).
 */
export async function partQuotaGuard(
  ctx: S3Context,
  bucketName: string,
): Promise<QuotaGuard | undefined> {
  if (!ctx.deps.quotas) return undefined;
  const bucket = await bucketNamed(ctx.deps, ctx.request, bucketName);
  const guard = bucket && (await quotaGuardOf(ctx, bucket));
  const size = declaredSize(ctx.request.headers);
  if (guard && size !== undefined) guard.checkPart(size);
  return guard;
}
