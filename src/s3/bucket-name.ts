/**
 * S3's bucket naming rules (the DNS-compatible ones every current region enforces), so
 * that every bucket can also be addressed virtual-hosted style.
 */
import { S3Error } from '../http/errors.js';

const NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Throws InvalidBucketName unless `name` is a valid S3 bucket name. */
export function checkBucketName(name: string): void {
  const valid =
    NAME.test(name) &&
    !IPV4.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias');
  if (!valid) {
    throw new S3Error('InvalidBucketName', undefined, { fields: { BucketName: name } });
  }
}
