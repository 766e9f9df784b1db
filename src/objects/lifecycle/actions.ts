/**
 * What the lifecycle worker does to objects, through the same paths clients' requests take:
 * expiring a current object is a DeleteObject (a delete marker in a versioned bucket), a
 * noncurrent version or a lone delete marker goes by the version delete (which refuses a
 * locked version), an upload by AbortMultipartUpload; so versioning, object lock, usage
 * accounting and GC all apply as they do to a client's request.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import type { UploadRecord } from '../multipart.js';
import type { MultipartStore } from '../multipart-store.js';
import { s3VersionIdOf, type Manifest } from '../manifest.js';
import type { ObjectStore } from '../object-store.js';

/** The worker's three actions. */
export interface LifecycleActions {
  /** Expires `manifest` if it is still the key's current object; false: it was not. */
  expireCurrent(
    bucket: Pick<BucketRecord, 'id' | 'versioning'>,
    manifest: Manifest,
  ): Promise<boolean>;
  /** Removes one version (or marker) for good. */
  deleteVersion(version: Manifest): Promise<void>;
  abortUpload(upload: UploadRecord): Promise<void>;
}

/** The current object changed since the worker read it: nothing is done. */
class Superseded extends Error {}

/** The actions over an object store and a multipart store. */
export function storeActions(
  objects: ObjectStore,
  multipart: MultipartStore,
  deps: { clock: () => number; newId: () => string },
): LifecycleActions {
  return {
    async expireCurrent(bucket, manifest) {
      const precondition = (current: Manifest | undefined) => {
        if (current?.versionId !== manifest.versionId) throw new Superseded();
      };
      try {
        if (bucket.versioning === undefined) {
          await objects.delete(bucket.id, manifest.key, precondition);
        } else {
          await objects.commit(
            deleteMarker(bucket, manifest.key, objects, deps),
            undefined,
            precondition,
          );
        }
        return true;
      } catch (error) {
        if (error instanceof Superseded) return false;
        throw error;
      }
    },
    async deleteVersion(version) {
      await objects.versions.deleteVersion(version.bucketId, version.key, s3VersionIdOf(version));
    },
    abortUpload: (upload) => multipart.abort(upload),
  };
}

/** The delete marker a DeleteObject without versionId writes (as object-delete.ts does). */
function deleteMarker(
  bucket: Pick<BucketRecord, 'id' | 'versioning'>,
  key: string,
  objects: ObjectStore,
  deps: { clock: () => number; newId: () => string },
): Manifest {
  const orderId = objects.versions.newVersionId();
  return {
    format: 1,
    versionId: deps.newId(),
    bucketId: bucket.id,
    key,
    size: 0,
    etag: '',
    lastModifiedMs: deps.clock(),
    blockSize: 0,
    blockCount: 0,
    headers: { contentType: '' },
    metadata: {},
    checksums: {},
    orderId,
    ...(bucket.versioning === 'Suspended' ? { nullVersion: true } : {}),
    deleteMarker: true,
  };
}
