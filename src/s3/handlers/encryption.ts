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

/** GET /bucket?encryption */
export async function getBucketEncryption(ctx: S3Context, bucketName: string): Promise<void> {
  await authorizedBucket(ctx, bucketName, 's3:GetEncryptionConfiguration');
  throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, {
    fields: { BucketName: bucketName },
  });
}
