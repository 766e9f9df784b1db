/**
 * The object lock API: Get/PutObjectLockConfiguration (?object-lock on a bucket; the
 * setting is on the bucket record, decided by stanchion, which keeps versioning Enabled
 * for good once it is on), Get/PutObjectRetention (?retention) and Get/PutObjectLegalHold
 * (?legal-hold) on one version (?versionId, else the current one). A version's lock is a
 * field of its record rewritten through the version store; every rule about it is in
 * objects/object-lock.ts.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import type { Manifest } from '../../objects/manifest.js';
import { retentionChangeRefusal, type Retention } from '../../objects/object-lock.js';
import {
  asksBypass,
  parseLegalHoldXml,
  parseLockConfigurationXml,
  parseRetentionXml,
  renderLegalHoldXml,
  renderLockConfigurationXml,
  renderRetentionXml,
} from '../object-lock-xml.js';
import type { S3Action } from '../access/authorize.js';
import { authorizedBucket, authorizedObject, existingBucket, mayAccess } from './access.js';
import { requireIntegrityCheck } from './delete-objects.js';
import { missingLockConfiguration } from './object-lock-write.js';
import { throwIfRefused } from './refusal.js';
import { sendEmpty, sendXml } from './responses.js';

const LOCK_BODY_BYTES_MAX = 16 * 1024;

/** GET /bucket?object-lock */
export async function getObjectLockConfiguration(ctx: S3Context, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:GetBucketObjectLockConfiguration');
  if (!bucket.objectLock) throw new S3Error('ObjectLockConfigurationNotFoundError');
  sendXml(ctx, 200, renderLockConfigurationXml(bucket.objectLock));
}

/** PUT /bucket?object-lock: on a bucket whose versioning is Enabled (else InvalidBucketState). */
export async function putObjectLockConfiguration(ctx: S3Context, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketObjectLockConfiguration');
  requireIntegrityCheck(ctx.request.headers);
  const body = await readSmallBody(ctx, LOCK_BODY_BYTES_MAX);
  const objectLock = parseLockConfigurationXml(body.toString('utf8'));
  const result = await ctx.deps.stanchion.execute({
    type: 'set-bucket-object-lock',
    name: bucket.name,
    bucketId: bucket.id,
    objectLock,
  });
  throwIfRefused(result, bucket.name);
  sendEmpty(ctx, 200);
}

/**
 * The version a retention or legal-hold request acts on, once it may do `action`: maybe the
 * null version of an object written before versioning, which has no version record yet.
 */
async function lockedVersion(
  ctx: S3Context,
  bucketName: string,
  key: string,
  action: S3Action,
): Promise<{ bucket: BucketRecord; version: Manifest }> {
  const bucket = await existingBucket(ctx, bucketName);
  if (!bucket.objectLock) throw missingLockConfiguration();
  const versionId = ctx.query.get('versionId');
  const version = await authorizedObject(ctx, bucket, key, action, {}, versionId);
  return { bucket, version };
}

/**
 * Rewrites the version's lock fields; NoSuchVersion when it went meanwhile. A null version
 * written before versioning is first given its version record (as the key's first
 * versioned write would), once the request has been found valid: the lock lives there.
 */
async function rewriteLock(
  ctx: S3Context,
  version: Manifest,
  change: (stored: Manifest) => Manifest,
): Promise<void> {
  const { versions } = ctx.deps.objects;
  const record =
    version.orderId !== undefined
      ? version
      : await versions.adoptNullVersion(version.bucketId, version.key);
  const changed = record && (await versions.rewrite(record, change));
  if (!changed) throw new S3Error('NoSuchVersion');
}

/** GET /bucket/key?retention */
export async function getObjectRetention(ctx: S3Context, bucketName: string, key: string) {
  const { version } = await lockedVersion(ctx, bucketName, key, 's3:GetObjectRetention');
  if (!version.retention) {
    throw new S3Error(
      'NoSuchObjectLockConfiguration',
      'The specified object does not have a ObjectLock configuration',
    );
  }
  sendXml(ctx, 200, renderRetentionXml(version.retention));
}

/**
 * PUT /bucket/key?retention. Extending is anyone's who may put retention; shortening,
 * removing or leaving GOVERNANCE needs x-amz-bypass-governance-retention and the
 * s3:BypassGovernanceRetention permission; COMPLIANCE is never shortened (AccessDenied).
 */
export async function putObjectRetention(ctx: S3Context, bucketName: string, key: string) {
  const { bucket, version } = await lockedVersion(ctx, bucketName, key, 's3:PutObjectRetention');
  requireIntegrityCheck(ctx.request.headers);
  const body = await readSmallBody(ctx, LOCK_BODY_BYTES_MAX);
  const nowMs = ctx.deps.clock();
  const next = parseRetentionXml(body.toString('utf8'), nowMs);
  const bypass =
    asksBypass(ctx.request.headers) &&
    mayAccess(ctx, bucket, 's3:BypassGovernanceRetention', { key });
  await rewriteLock(ctx, version, (stored) => {
    // Decided against the record as stored now, not as first read.
    if (retentionChangeRefusal(stored.retention, next, nowMs, bypass)) {
      throw new S3Error('AccessDenied');
    }
    return withRetention(stored, next);
  });
  sendEmpty(ctx, 200);
}

function withRetention(version: Manifest, retention: Retention | undefined): Manifest {
  const { retention: _old, ...rest } = version;
  return retention ? { ...rest, retention } : rest;
}

/** GET /bucket/key?legal-hold */
export async function getObjectLegalHold(ctx: S3Context, bucketName: string, key: string) {
  const { version } = await lockedVersion(ctx, bucketName, key, 's3:GetObjectLegalHold');
  sendXml(ctx, 200, renderLegalHoldXml(version.legalHold === true));
}

/** PUT /bucket/key?legal-hold: ON or OFF, anything else MalformedXML. */
export async function putObjectLegalHold(ctx: S3Context, bucketName: string, key: string) {
  const { version } = await lockedVersion(ctx, bucketName, key, 's3:PutObjectLegalHold');
  requireIntegrityCheck(ctx.request.headers);
  const body = await readSmallBody(ctx, LOCK_BODY_BYTES_MAX);
  const on = parseLegalHoldXml(body.toString('utf8'));
  await rewriteLock(ctx, version, (stored) => {
    const { legalHold: _old, ...rest } = stored;
    return on ? { ...rest, legalHold: true } : rest;
  });
  sendEmpty(ctx, 200);
}
