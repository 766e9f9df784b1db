/**
 * Bucket default encryption (?encryption). With a kms key file, PutBucketEncryption of
 * SSE-S3 (AES256) makes every object written without encryption headers SSE-S3, as AWS;
 * SSE-KMS and DSSE-KMS answer NotImplemented (no key management service here). Without a
 * key file every ?encryption write answers NotImplemented (nothing could honour it), and a
 * read answers ServerSideEncryptionConfigurationNotFoundError (404), the true answer and
 * the one SDK-based tools (Terraform, cleanup scripts, rclone) treat as "no configuration".
 */
import type { S3Context } from '../../http/context.js';
import { readSmallBody } from '../../http/body.js';
import { S3Error } from '../../http/errors.js';
import { renderXml } from '../../http/xml.js';
import {
  readBucketSettings,
  writeBucketSetting,
  type BucketEncryption,
} from '../../objects/bucket-settings.js';
import { settingsOf } from '../../objects/bucket-settings-cache.js';
import { parseEncryptionXml } from '../encryption-xml.js';
import { noMasterKey } from '../sse-request.js';
import { authorizedBucket } from './access.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest ServerSideEncryptionConfiguration accepted, in bytes. */
const ENCRYPTION_XML_BYTES_MAX = 16 * 1024;

/** GET /bucket?encryption */
export async function getBucketEncryption(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetEncryptionConfiguration');
  const { encryption } = await readBucketSettings(ctx.deps.ring, bucket.id);
  if (!encryption) {
    throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, {
      fields: { BucketName: bucketName },
    });
  }
  sendXml(ctx, 200, renderEncryption(encryption));
}

/** PUT /bucket?encryption */
export async function putBucketEncryption(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutEncryptionConfiguration');
  if (!ctx.deps.config.sse?.masterKeys) throw noMasterKey();
  const body = await readSmallBody(ctx, ENCRYPTION_XML_BYTES_MAX);
  const encryption = parseEncryptionXml(body.toString('utf8'));
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'encryption', encryption, write);
  ctx.deps.bucketSettings?.forget(bucket.id);
  sendEmpty(ctx, 200);
}

/** DELETE /bucket?encryption */
export async function deleteBucketEncryption(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutEncryptionConfiguration');
  if (!ctx.deps.config.sse?.masterKeys) throw noMasterKey();
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'encryption', null, write);
  ctx.deps.bucketSettings?.forget(bucket.id);
  sendEmpty(ctx, 204);
}

function renderEncryption(encryption: BucketEncryption): string {
  return renderXml('ServerSideEncryptionConfiguration', {
    Rule: {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: encryption.algorithm },
      BucketKeyEnabled: encryption.bucketKeyEnabled === true ? 'true' : 'false',
    },
  });
}

/**
 * The default encryption a bucket gives objects written without encryption headers
 * (undefined: none), through the front end's bucket-settings cache (read at most once a
 * second: reading the record on every PUT cost ~20 % more CPU per 4 KiB PUT).
 */
export async function bucketDefaultEncryption(
  ctx: S3Context,
  bucket: { id: string },
): Promise<'AES256' | undefined> {
  return (await settingsOf(ctx.deps, bucket.id)).encryption?.algorithm;
}
