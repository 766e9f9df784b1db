/**
 * Server-side encryption and object lock are not implemented, and must never look as if
 * they were: a PUT asking for either is refused (NotImplemented) instead of storing the
 * object unencrypted or unlocked. Reading a bucket's encryption configuration answers
 * ServerSideEncryptionConfigurationNotFoundError (404), the true answer (Cairn encrypts
 * nothing at rest) and the one SDK-based tools (Terraform, cleanup scripts, rclone) already
 * treat as "no configuration", where NotImplemented would abort some of them.
 */
import type { S3Context } from '../context.js';
import { S3Error } from '../errors.js';
import { authorizedBucket } from './access.js';

const UNSUPPORTED_PUT_HEADERS: ReadonlyArray<[prefix: string, feature: string]> = [
  ['x-amz-server-side-encryption', 'Server-side encryption'],
  ['x-amz-object-lock-', 'Object lock'],
];

/** Throws NotImplemented when a PUT (or a POST form) asks for SSE or object lock. */
export function refuseUnsupportedPutHeaders(names: Iterable<string>): void {
  for (const name of names) {
    const lower = name.toLowerCase();
    const hit = UNSUPPORTED_PUT_HEADERS.find(([prefix]) => lower.startsWith(prefix));
    if (hit) throw S3Error.notImplemented(`${hit[1]} (${lower})`);
  }
}

/** GET /bucket?encryption */
export async function getBucketEncryption(ctx: S3Context, bucketName: string): Promise<void> {
  await authorizedBucket(ctx, bucketName, 's3:GetEncryptionConfiguration');
  throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, {
    fields: { BucketName: bucketName },
  });
}
