/**
 * Object lock on a browser POST: the form's x-amz-object-lock-* fields ask for a lock as
 * PutObject's headers do (object-lock-write.ts), with the same refusals, and a form whose
 * object will be locked by retention (its own or the bucket's default) must carry a
 * Content-MD5 or x-amz-checksum-* field, as PutObject must carry the header. A form's
 * Content-MD5 is checked against the file, as a PUT's header is against its body.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { parseContentMd5 } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import type { VersionLock } from '../../objects/object-lock.js';
import { newVersionLock, requestedLock } from './object-lock-write.js';

/** What a form asks of the new version's lock, and the file's expected MD5. */
export interface PostLock {
  /** The lock fields of the new version (empty on a bucket without object lock). */
  fields: VersionLock;
  /** Throws BadDigest when the file's MD5 is not the form's Content-MD5. */
  check: (written: { md5: Buffer }) => void;
}

/** The lock a form's fields (lower-cased names) give the object `key` of `bucket`. */
export function postObjectLock(
  ctx: S3Context,
  bucket: BucketRecord,
  key: string,
  fields: ReadonlyMap<string, string>,
): PostLock {
  const headers = Object.fromEntries(fields);
  const expectedMd5 = parseContentMd5(headers['content-md5']);
  const requested = requestedLock(ctx, bucket, key, true, headers);
  return {
    fields: newVersionLock(bucket, requested, ctx.deps.clock()),
    check(written) {
      if (expectedMd5 && !expectedMd5.equals(written.md5)) throw new S3Error('BadDigest');
    },
  };
}
