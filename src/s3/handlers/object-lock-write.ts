/**
 * Object lock on the write paths (PutObject, CopyObject, CreateMultipartUpload and its
 * Complete): the lock a new version gets, from the request's x-amz-object-lock-* headers or
 * else the bucket's default retention. Lock headers on a bucket without object lock are
 * refused (InvalidRequest, as AWS), and so is a lock the writer may not set.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { defaultRetentionOf, lockFields, type VersionLock } from '../../objects/object-lock.js';
import { lockFromHeaders } from '../object-lock-xml.js';
import { mayAccess } from './access.js';
import { requireIntegrityCheck } from './delete-objects.js';

/** AWS's words for a lock asked of a bucket without object lock. */
export function missingLockConfiguration(): S3Error {
  return new S3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration');
}

/**
 * The lock the request's headers ask for (undefined: none asked), checked against the
 * bucket and the writer's permissions. With `needsIntegrity`, a write that sets retention
 * must carry Content-MD5 or a checksum, as AWS requires of PutObject. `headers` are a
 * browser POST's form fields, which stand for its headers.
 */
export function requestedLock(
  ctx: S3Context,
  bucket: BucketRecord,
  key: string,
  needsIntegrity: boolean,
  headers: S3Context['request']['headers'] = ctx.request.headers,
): VersionLock | undefined {
  const asked = Object.keys(headers).some((name) => name.startsWith('x-amz-object-lock-'));
  if (asked && !bucket.objectLock) throw missingLockConfiguration();
  const lock = lockFromHeaders(headers, ctx.deps.clock());
  if (lock === undefined || !bucket.objectLock) {
    if (needsIntegrity && bucket.objectLock?.defaultRetention) requireIntegrityCheck(headers);
    return undefined;
  }
  const may = (action: 's3:PutObjectRetention' | 's3:PutObjectLegalHold') =>
    mayAccess(ctx, bucket, action, { key });
  if (lock.retention && !may('s3:PutObjectRetention')) throw new S3Error('AccessDenied');
  if (lock.legalHold && !may('s3:PutObjectLegalHold')) throw new S3Error('AccessDenied');
  if (needsIntegrity && (lock.retention || bucket.objectLock.defaultRetention)) {
    requireIntegrityCheck(headers);
  }
  return lock;
}

/**
 * The lock fields of a new version: `requested` (the headers') retention, or else the
 * bucket's default retention from `nowMs`; the legal hold only as asked.
 */
export function newVersionLock(
  bucket: Pick<BucketRecord, 'objectLock'>,
  requested: VersionLock | undefined,
  nowMs: number,
): VersionLock {
  const rule = bucket.objectLock?.defaultRetention;
  const retention = requested?.retention ?? (rule ? defaultRetentionOf(rule, nowMs) : undefined);
  return lockFields({
    ...(retention ? { retention } : {}),
    ...(requested?.legalHold ? { legalHold: true } : {}),
  });
}
