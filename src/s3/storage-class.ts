/**
 * x-amz-storage-class on PutObject, CopyObject and CreateMultipartUpload. Cairn stores every
 * object the same way, so a class is a label it keeps and returns (HEAD, GET, listings,
 * ListParts, ListMultipartUploads, GetObjectAttributes), which is all S3 shows of the
 * classes whose objects read back at once. It must never accept what it cannot honour:
 * GLACIER and DEEP_ARCHIVE objects cannot be read until RestoreObject brings them back,
 * which is not built, so those answer NotImplemented; classes of other kinds of store
 * (directory buckets, Outposts, Snow, FSx, AWS Backup) and unknown names are refused as S3
 * refuses them on a general-purpose bucket, with InvalidStorageClass.
 */
import { S3Error } from '../http/errors.js';

/** The storage classes Cairn keeps: S3's general-purpose classes read back at once. */
export const STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
] as const;

/** A storage class Cairn keeps. */
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** Archive classes: their objects need RestoreObject before a GET. */
const ARCHIVE_CLASSES: readonly string[] = ['GLACIER', 'DEEP_ARCHIVE'];

type Headers = Record<string, string | string[] | undefined>;

function isStorageClass(value: string): value is StorageClass {
  return (STORAGE_CLASSES as readonly string[]).includes(value);
}

/**
 * The x-amz-storage-class of a write; undefined when absent. NotImplemented for an archive
 * class, InvalidStorageClass for any other class Cairn does not keep (names are exact, as
 * in S3: `standard` is not a class).
 */
export function storageClassFromHeaders(headers: Headers): StorageClass | undefined {
  const raw = headers['x-amz-storage-class'];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (isStorageClass(value)) return value;
  if (ARCHIVE_CLASSES.includes(value)) {
    throw S3Error.notImplemented(
      `The ${value} storage class (archived objects need RestoreObject to be read)`,
    );
  }
  throw new S3Error('InvalidStorageClass', undefined, {
    fields: { StorageClassRequested: value },
  });
}

/** What a manifest or upload record keeps of a class: nothing for STANDARD, the default. */
export function storageClassField(storageClass: StorageClass | undefined): {
  storageClass?: StorageClass;
} {
  return storageClass === undefined || storageClass === 'STANDARD' ? {} : { storageClass };
}

/** The class of a stored object or upload (records without one are STANDARD). */
export function storageClassOf(record: { storageClass?: string }): string {
  return record.storageClass ?? 'STANDARD';
}

/** The x-amz-storage-class header of a HEAD or GET: S3 sends it for every class but STANDARD. */
export function storageClassHeaders(record: { storageClass?: string }): Record<string, string> {
  return record.storageClass && record.storageClass !== 'STANDARD'
    ? { 'x-amz-storage-class': record.storageClass }
    : {};
}
