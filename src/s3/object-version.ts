/**
 * Finding the object (or one version of it) a request acts on, and the answers S3 gives
 * about versions: x-amz-version-id on objects of versioned buckets, NoSuchKey with
 * x-amz-delete-marker when the current version is a delete marker, NoSuchVersion for a
 * version that is not there and MethodNotAllowed for a GET or HEAD of a delete marker.
 */
import type { BucketRecord } from '../../stanchion/core/records.js';
import { S3Error } from '../http/errors.js';
import { s3VersionIdOf, type Manifest } from '../objects/manifest.js';
import type { ObjectStore } from '../objects/object-store.js';
import { isVersionId, NULL_VERSION_ID } from '../objects/version-id.js';

/** An object found, or the error its absence answers. */
export type FoundVersion = { manifest: Manifest } | { manifest?: undefined; missing: S3Error };

/**
 * The current object of `key` or its version `versionId`. Reads the current manifest once,
 * as before versioning, when no version is asked for.
 */
export async function findObjectVersion(
  objects: ObjectStore,
  bucketId: string,
  key: string,
  versionId: string | undefined,
): Promise<FoundVersion> {
  if (versionId === undefined) {
    const current = await objects.versions.current(bucketId, key);
    if (current && !current.deleteMarker) return { manifest: current };
    return { missing: noSuchKey(key, current) };
  }
  checkVersionIdForm(versionId);
  const version = await objects.versions.get(bucketId, key, versionId);
  if (!version) return { missing: noSuchVersion(key, versionId) };
  if (version.deleteMarker) {
    throw new S3Error('MethodNotAllowed', undefined, {
      fields: { Method: 'GET', ResourceType: 'DeleteMarker' },
      headers: { ...markerHeaders(version), 'last-modified': httpDate(version) },
    });
  }
  return { manifest: version };
}

/** InvalidArgument unless `versionId` is "null" or an id this store makes. */
export function checkVersionIdForm(versionId: string): void {
  if (versionId === NULL_VERSION_ID || isVersionId(versionId)) return;
  throw new S3Error('InvalidArgument', 'Invalid version id specified', {
    fields: { ArgumentName: 'versionId', ArgumentValue: versionId },
  });
}

/** NoSuchKey, saying whether the key's current version is a delete marker (and which). */
export function noSuchKey(key: string, current: Manifest | undefined): S3Error {
  const headers = current?.deleteMarker
    ? markerHeaders(current)
    : { 'x-amz-delete-marker': 'false' };
  return new S3Error('NoSuchKey', undefined, { fields: { Key: key }, headers });
}

/** NoSuchVersion for version `versionId` of `key`. */
export function noSuchVersion(key: string, versionId: string): S3Error {
  return new S3Error('NoSuchVersion', undefined, { fields: { Key: key, VersionId: versionId } });
}

/** x-amz-delete-marker and x-amz-version-id of a delete marker. */
export function markerHeaders(marker: Manifest): Record<string, string> {
  return { 'x-amz-delete-marker': 'true', 'x-amz-version-id': s3VersionIdOf(marker) };
}

/** x-amz-version-id of a version of a versioned bucket; none for an unversioned object. */
export function versionIdHeader(manifest: Manifest): Record<string, string> {
  return manifest.orderId === undefined ? {} : { 'x-amz-version-id': s3VersionIdOf(manifest) };
}

/**
 * x-amz-version-id of the answer to a write (PUT, POST, copy, Complete): none for a null
 * version (a suspended bucket's write), as ceph's s3-tests expect of S3.
 */
export function writtenVersionHeader(manifest: Manifest): Record<string, string> {
  return manifest.nullVersion ? {} : versionIdHeader(manifest);
}

/**
 * What a new version of a bucket's object carries: an order id when the bucket is
 * versioned, marked "null" when versioning is suspended; nothing for a bucket never
 * versioned, whose writes stay exactly what they were.
 */
export function newVersionFields(
  bucket: Pick<BucketRecord, 'versioning'>,
  objects: ObjectStore,
): Pick<Manifest, 'orderId' | 'nullVersion'> {
  if (bucket.versioning === undefined) return {};
  const orderId = objects.versions.newVersionId();
  return bucket.versioning === 'Suspended' ? { orderId, nullVersion: true } : { orderId };
}

function httpDate(manifest: Manifest): string {
  return new Date(manifest.lastModifiedMs).toUTCString();
}
