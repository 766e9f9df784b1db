/**
 * Object lock's bucket rules, decided by stanchion so that every front end sees one order:
 * a bucket with object lock keeps versioning Enabled for good (a Suspended bucket would
 * overwrite null versions in place), and object lock is only turned on for a bucket whose
 * versioning is Enabled (AWS's InvalidBucketState otherwise); once on, it stays on.
 */
import type { Refusal } from './bucket-controls.js';
import type { BucketObjectLock, BucketRecord, BucketVersioning } from './records.js';

/** A PutBucketVersioning: a bucket with object lock cannot be suspended. */
export function versioningChangeRefusal(
  bucket: BucketRecord,
  status: BucketVersioning,
): Refusal | undefined {
  if (bucket.objectLock && status !== 'Enabled') {
    return {
      code: 'InvalidBucketState',
      detail:
        'An Object Lock configuration is present on this bucket, so the versioning ' +
        'state cannot be changed.',
    };
  }
  return undefined;
}

/** A PutObjectLockConfiguration: the record with its new lock, or the refusal. */
export function withObjectLock(
  bucket: BucketRecord,
  objectLock: BucketObjectLock,
): BucketRecord | Refusal {
  if (!bucket.objectLock && bucket.versioning !== 'Enabled') {
    return {
      code: 'InvalidBucketState',
      detail: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
    };
  }
  return { ...bucket, objectLock };
}
