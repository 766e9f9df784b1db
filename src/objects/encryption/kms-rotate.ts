/**
 * Master key rotation for SSE-S3: every data key wrapped by an older master key is
 * re-wrapped under the current one (the first of the kms key file), in every bucket's
 * current manifests, version records and multipart uploads in progress (whose parts are
 * sealed under keys derived from the upload's data key, so re-wrapping it is enough). Only
 * the small wrapped key in each record changes; no block is read or written. Idempotent and
 * restartable: a second run finds nothing to do. Once a run has finished with every front
 * end on the new key file, the old keys may leave it (docs/encryption.md).
 */
import type { RingClient } from '../../../ring/client.js';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { readBucket } from '../../../stanchion/reader.js';
import type { Manifest } from '../manifest.js';
import { uploadSortKey, type UploadRecord } from '../multipart.js';
import type { MultipartStore } from '../multipart-store.js';
import type { ObjectStore } from '../object-store.js';
import { rewrapKey, type MasterKeys } from './sse-keys.js';

const PAGE = 1000;

/** What a rotation did. */
export interface RotationReport {
  keyId: string;
  buckets: number;
  /** Records looked at (current manifests, version records and uploads in progress). */
  scanned: number;
  rewrapped: number;
  /** Of `rewrapped`, uploads in progress. */
  uploads: number;
}

function stale(record: Pick<Manifest, 'encryption'>, keys: MasterKeys): boolean {
  const encryption = record.encryption;
  return encryption?.kind === 'managed' && encryption.keyId !== keys.current.id;
}

/** The stores a rotation rewrites records of. */
export interface RotationStores {
  objects: ObjectStore;
  multipart: MultipartStore;
}

/** Re-wraps the stale data keys of one bucket; adds to `report`. */
export async function rotateBucket(
  stores: RotationStores,
  bucketId: string,
  keys: MasterKeys,
  random: (count: number) => Buffer,
  report: RotationReport,
): Promise<void> {
  const { objects } = stores;
  const change = (target: Manifest) => (current: Manifest) =>
    current.versionId === target.versionId && current.encryption
      ? { ...current, encryption: rewrapKey(current.encryption, keys, random) }
      : current;
  for (let after: Buffer | undefined; ;) {
    const items = await objects.scanItems(bucketId, { limit: PAGE, ...(after ? { after } : {}) });
    for (const { manifest } of items) {
      report.scanned++;
      // A version's current manifest is rewritten with its version record, below.
      if (!stale(manifest, keys) || manifest.orderId !== undefined) continue;
      if (await objects.rewrite(bucketId, manifest.key, change(manifest))) report.rewrapped++;
    }
    if (items.length < PAGE) break;
    after = items.at(-1)!.sk;
  }
  for (let after: Buffer | undefined; ;) {
    const items = await objects.versions.scan(bucketId, {
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const { manifest } of items) {
      report.scanned++;
      if (!stale(manifest, keys)) continue;
      if (await objects.versions.rewrite(manifest, change(manifest))) report.rewrapped++;
    }
    if (items.length < PAGE) break;
    after = items.at(-1)!.sk;
  }
  await rotateUploads(stores.multipart, bucketId, keys, random, report);
}

/**
 * Re-wraps the data keys of a bucket's uploads in progress: their Complete copies the
 * upload's record into the object, so one left under an old key would need it afterwards.
 */
async function rotateUploads(
  multipart: MultipartStore,
  bucketId: string,
  keys: MasterKeys,
  random: (count: number) => Buffer,
  report: RotationReport,
): Promise<void> {
  const change = (stored: UploadRecord): UploadRecord =>
    stored.encryption
      ? { ...stored, encryption: rewrapKey(stored.encryption, keys, random) }
      : stored;
  for (let after: Buffer | undefined; ;) {
    const uploads = await multipart.scanUploads(bucketId, {
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const upload of uploads) {
      report.scanned++;
      if (!stale(upload, keys) || !(await multipart.rewrite(upload, change))) continue;
      report.rewrapped++;
      report.uploads++;
    }
    if (uploads.length < PAGE) break;
    const last = uploads.at(-1)!;
    after = Buffer.from(uploadSortKey(last.key, last.uploadId), 'utf8');
  }
}

/** Rotates every bucket of the store (found partition by partition on the ring). */
export async function rotateAll(
  ring: RingClient,
  stores: RotationStores,
  keys: MasterKeys,
  random: (count: number) => Buffer,
): Promise<RotationReport> {
  const report: RotationReport = {
    keyId: keys.current.id,
    buckets: 0,
    scanned: 0,
    rewrapped: 0,
    uploads: 0,
  };
  for (let partition = 0; partition < ring.partitionCount; partition++) {
    for (let after: Buffer | undefined; ;) {
      const page = await ring.partitionKeys(KEYSPACES.buckets, partition, {
        ...(after ? { after } : {}),
        limit: PAGE,
      });
      for (const key of page.keys) {
        const bucket = await readBucket(ring, key.toString('utf8'));
        if (!bucket) continue;
        report.buckets++;
        await rotateBucket(stores, bucket.id, keys, random, report);
      }
      if (!page.next) break;
      after = page.next;
    }
  }
  return report;
}
