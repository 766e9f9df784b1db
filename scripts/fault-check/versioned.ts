/**
 * The checker's versioned workload (issue 19): the bucket has versioning enabled; workers
 * PUT and DELETE (delete markers) their keys while the faults run, recording the version id
 * of every acknowledged write. Afterwards: every acknowledged version is still listed, reads
 * back by id with its bytes (a marker as a marker), each key's latest is its greatest
 * version id, and every primary replica of the bucket's versions range holds the same
 * records (one direct scan per replica, bypassing quorum).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { versionDigest } from '../../ring/core/dvv.js';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import type { Ring } from '../../ring/core/ring.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { HttpTransport } from '../../ring/transport/http-transport.js';
import { decodeVersioned } from '../../ring/transport/versioned-codec.js';

/** Per key: acknowledged version id → MD5 hex of its bytes, or 'marker'. */
export type AckedVersions = Map<string, Map<string, string>>;

/** Writes every key once, then PUTs and deletes until `shouldStop()`. */
export async function runVersionedWorkload(
  s3: S3Client,
  bucket: string,
  keys: string[],
  workers: number,
  shouldStop: () => boolean,
): Promise<{ acked: AckedVersions; acknowledged: number; failed: number }> {
  const acked: AckedVersions = new Map(keys.map((k) => [k, new Map<string, string>()]));
  const counts = { acknowledged: 0, failed: 0 };
  const worker = async (w: number) => {
    const mine = keys.filter((_, i) => i % workers === w);
    for (const key of mine) await step(s3, bucket, key, acked, counts, false);
    for (let i = 0; !shouldStop() && mine.length > 0; i++) {
      await step(s3, bucket, mine[i % mine.length]!, acked, counts, true);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return { acked, ...counts };
}

async function step(
  s3: S3Client,
  bucket: string,
  key: string,
  acked: AckedVersions,
  counts: { acknowledged: number; failed: number },
  mayDelete: boolean,
): Promise<void> {
  try {
    if (mayDelete && Math.random() < 0.2) {
      const done = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      acked.get(key)!.set(done.VersionId!, 'marker');
    } else {
      const body = randomBytes(1 + Math.floor(Math.random() * 200_000));
      const done = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      acked.get(key)!.set(done.VersionId!, createHash('md5').update(body).digest('hex'));
    }
    counts.acknowledged++;
  } catch {
    // An unacknowledged write may or may not have made a version: either is honest.
    counts.failed++;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every version the bucket lists, per key, newest first, with IsLatest. */
async function listAll(s3: S3Client, bucket: string) {
  const listed = new Map<string, Array<{ id: string; latest: boolean; marker: boolean }>>();
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }),
    );
    const entries = [
      ...(page.Versions ?? []).map((v) => ({ ...v, marker: false })),
      ...(page.DeleteMarkers ?? []).map((m) => ({ ...m, marker: true })),
    ];
    for (const e of entries) {
      const list = listed.get(e.Key!) ?? [];
      list.push({ id: e.VersionId!, latest: e.IsLatest!, marker: e.marker });
      listed.set(e.Key!, list);
    }
    if (!page.IsTruncated) return listed;
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
  }
}

/** Lost acknowledged versions (and wrong latest flags), as lines to report. */
export async function verifyVersions(
  s3: S3Client,
  bucket: string,
  acked: AckedVersions,
): Promise<string[]> {
  const listed = await listAll(s3, bucket);
  const lost: string[] = [];
  for (const [key, versions] of acked) {
    const found = listed.get(key) ?? [];
    const ids = new Set(found.map((v) => v.id));
    const newest = [...ids].sort().at(-1);
    const latest = found.filter((v) => v.latest).map((v) => v.id);
    if (newest && (latest.length !== 1 || latest[0] !== newest)) {
      lost.push(`${key}: latest ${latest.join(',')}, newest version ${newest}`);
    }
    for (const [id, state] of versions) {
      if (!ids.has(id)) lost.push(`${key}@${id}: not listed`);
      else if (state !== 'marker') {
        const read = await readVersion(s3, bucket, key, id);
        if (read !== state) lost.push(`${key}@${id}: read ${read}, expected ${state}`);
      }
    }
  }
  return lost;
}

async function readVersion(s3: S3Client, bucket: string, key: string, id: string) {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: id }));
    const bytes = await got.Body!.transformToByteArray();
    return createHash('md5').update(bytes).digest('hex');
  } catch (error) {
    return `error: ${(error as Error).name}`;
  }
}

/** The nodes holding the primary replicas of a bucket's version records. */
export function versionNodes(ring: Ring, nVal: number, bucketId: string): string[] {
  const primary = partitionOf(ringIndex(KEYSPACES.objectVersions, bucketId), ring.partitionCount);
  return Array.from({ length: nVal }, (_, i) => ring.owners[(primary + i) % ring.partitionCount]!);
}

/**
 * Each primary replica's listing of the bucket's version records: sort key and digest of
 * its state (tombstones included), as one string, so equal strings mean equal replicas.
 */
export async function versionListings(
  transport: HttpTransport,
  ring: Ring,
  nVal: number,
  bucketId: string,
): Promise<string[]> {
  const primary = partitionOf(ringIndex(KEYSPACES.objectVersions, bucketId), ring.partitionCount);
  const listings: string[] = [];
  for (let i = 0; i < nVal; i++) {
    const partition = (primary + i) % ring.partitionCount;
    const item = { partition, keyspace: KEYSPACES.objectVersions, pk: Buffer.from(bucketId) };
    const request = { op: 'scan' as const, item, limit: 1_000_000 };
    const reply = await transport.call(ring.owners[partition]!, request, { timeoutMs: 30_000 });
    if (!reply.ok || !('items' in reply)) throw new Error('scan failed');
    const rows = reply.items.map(
      (it) => `${it.sk.toString('hex')}=${versionDigest(decodeVersioned(it.value))}`,
    );
    listings.push(rows.join('\n'));
  }
  return listings;
}
