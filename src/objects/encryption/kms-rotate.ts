/**
 * Master key rotation for SSE-S3: every data key wrapped by an older master key is
 * re-wrapped under the current one (the first of the kms key file), in every bucket's
 * current manifests and version records. Only the small wrapped key in each record changes;
 * no block is read or written. Idempotent and restartable: a second run finds nothing to do,
 * and once it reports no `remaining`, the old keys may leave the key file.
 */
import type { RingClient } from '../../../ring/client.js';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { readBucket } from '../../../stanchion/reader.js';
import type { Manifest } from '../manifest.js';
import type { ObjectStore } from '../object-store.js';
import { rewrapKey, type MasterKeys } from './sse-keys.js';

const PAGE = 1000;

/** What a rotation did. */
export interface RotationReport {
  keyId: string;
  buckets: number;
  /** Records looked at (current manifests and version records). */
  scanned: number;
  rewrapped: number;
}

function stale(manifest: Manifest, keys: MasterKeys): boolean {
  const record = manifest.encryption;
  return record?.kind === 'managed' && record.keyId !== keys.current.id;
}

/** Re-wraps the stale data keys of one bucket; adds to `report`. */
export async function rotateBucket(
  objects: ObjectStore,
  bucketId: string,
  keys: MasterKeys,
  random: (count: number) => Buffer,
  report: RotationReport,
): Promise<void> {
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
}

/** Rotates every bucket of the store (found partition by partition on the ring). */
export async function rotateAll(
  ring: RingClient,
  objects: ObjectStore,
  keys: MasterKeys,
  random: (count: number) => Buffer,
): Promise<RotationReport> {
  const report: RotationReport = { keyId: keys.current.id, buckets: 0, scanned: 0, rewrapped: 0 };
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
        await rotateBucket(objects, bucket.id, keys, random, report);
      }
      if (!page.next) break;
      after = page.next;
    }
  }
  return report;
}
