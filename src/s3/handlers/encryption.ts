/**
 * Server-side encryption is not implemented, and must never look as if it were: every
 * request header asking for it is refused by the one table of unsupported headers
 * (unsupported-headers.ts), as are PUT and DELETE ?encryption. Reading a bucket's
 * encryption configuration answers ServerSideEncryptionConfigurationNotFoundError (404),
 * the true answer (Cairn encrypts nothing at rest) and the one SDK-based tools (Terraform,
 * cleanup scripts, rclone) already treat as "no configuration", where NotImplemented would
 * abort some of them.
 */
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { authorizedBucket } from './access.js';
import { readBucketSettings } from '../../objects/bucket-settings.js';

/** GET /bucket?encryption */
export async function getBucketEncryption(ctx: S3Context, bucketName: string): Promise<void> {
  await authorizedBucket(ctx, bucketName, 's3:GetEncryptionConfiguration');
  throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, {
    fields: { BucketName: bucketName },
  });
}

/**
 * The default encryption a bucket gives objects written without encryption headers
 * (undefined: none). Read on every write of a new object: a setting changed on one front
 * end holds at once on every other.
 */
export async function bucketDefaultEncryption(
  ctx: S3Context,
  bucket: { id: string },
): Promise<'AES256' | undefined> {
  const { encryption } = await readBucketSettings(ctx.deps.ring, bucket.id);
  return encryption?.algorithm;
}
