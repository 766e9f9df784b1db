/**
 * Deletes leak nothing, in a real 3-node cluster (scripts/dev-cluster.sh, n_val=3): 100
 * buckets are created, filled (objects, versions in a versioned bucket, a multipart upload
 * left open with a part, tags, CORS) and deleted; the storage nodes' deleted-bucket
 * collectors and GC then remove every record under the deleted ids. Measured with the nodes
 * stopped, before and after, by a census of each node's LevelDB by keyspace (the honest
 * figure: file sizes move only when LevelDB compacts) and the bytes of its blob files.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { dirBytes } from '../helpers/disk.js';
import { leveldbCensus, type KeyspaceCensus } from '../helpers/leveldb-census.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const NODES = ['dev1', 'dev2', 'dev3'];
const BUCKETS = Number(process.env['LEAK_BUCKETS'] ?? 100);
const BLOCK_BYTES = 64 * 1024;
/** Keyspaces that hold objects' data and bookkeeping: after the cycle, as they were. */
const DATA_KEYSPACES = [
  'manifests',
  'object-versions',
  'blocks',
  'manifest-parts',
  'uploads',
  'parts',
  'gc',
  'bucket-settings',
  'usage-counters',
];
let cluster: DevCluster;
let s3: S3Client;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startDevCluster(3, {
    CAIRN_GC_LEEWAY_SECONDS: '3',
    CAIRN_GC_INTERVAL_SECONDS: '1',
    CAIRN_GC_BUCKET_INTERVAL_SECONDS: '1',
    CAIRN_BLOCK_SIZE: String(BLOCK_BYTES),
  });
  await cluster.script('join');
  s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await cluster?.cleanup();
}, 60_000);

interface NodeCensus {
  keyspaces: Map<string, KeyspaceCensus>;
  leveldbBytes: number;
  blobBytes: number;
}

/** Stops the nodes one by one, takes each one's census, and starts them again. */
async function censusOfNodes(): Promise<Map<string, NodeCensus>> {
  const result = new Map<string, NodeCensus>();
  for (const node of NODES) {
    await cluster.script('kill', node);
    const dir = join(cluster.dir, node);
    const keyspaces = await leveldbCensus(dir);
    result.set(node, {
      keyspaces,
      leveldbBytes: await dirBytes(join(dir, 'leveldb')),
      blobBytes: await dirBytes(join(dir, 'blobs')),
    });
    await cluster.script('restart', node);
  }
  return result;
}

/** Retries `attempt` until it resolves (the front end reconnecting after the restarts). */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** One bucket's life: created, filled, emptied the way a client may, deleted. */
async function cycle(n: number): Promise<void> {
  const Bucket = `leak-${String(n).padStart(3, '0')}`;
  await s3.send(new CreateBucketCommand({ Bucket }));
  const versioned = n % 4 === 0;
  if (versioned) {
    const VersioningConfiguration = { Status: 'Enabled' as const };
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration }));
  }
  await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: Buffer.alloc(150_000, n) }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: Buffer.alloc(70_000, n) }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'small', Body: `small ${n}` }));
  const Tagging = { TagSet: [{ Key: 'cycle', Value: String(n) }] };
  await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging }));
  const CORSRules = [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }];
  await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules } }));
  const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'open' }));
  const part = { Bucket, Key: 'open', UploadId: upload.UploadId!, PartNumber: 1 };
  await s3.send(new UploadPartCommand({ ...part, Body: Buffer.alloc(100_000, n) }));
  for (const Key of ['big', 'small']) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
  if (versioned) await deleteEveryVersion(Bucket);
  // Under load the SDK may retry a delete whose answer it missed: then NoSuchBucket.
  await s3.send(new DeleteBucketCommand({ Bucket })).catch((error: Error) => {
    if (error.name !== 'NoSuchBucket') throw error;
  });
}

/** A versioned bucket is empty only without versions (AWS's rule): removes them all. */
async function deleteEveryVersion(Bucket: string): Promise<void> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
  const all = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])];
  for (const v of all) {
    await s3.send(new DeleteObjectCommand({ Bucket, Key: v.Key!, VersionId: v.VersionId! }));
  }
}

interface CollectorRecord {
  workerId: string;
  lastPass?: { startedMs: number; counts: { records: number; collectedIds: number } };
}

/** Waits for every node's collector to finish a pass begun after `sinceMs`, and GC to drain. */
async function waitForCollection(sinceMs: number): Promise<CollectorRecord[]> {
  for (let i = 0; i < 120; i++) {
    const answer = await signedFetch(cluster.endpoint, '/riak-cs/gc', { credentials: cluster });
    const gc = (await answer.json()) as {
      due: number;
      pending: number;
      deletedBuckets: CollectorRecord[];
    };
    const passed = gc.deletedBuckets.filter((c) => (c.lastPass?.startedMs ?? 0) > sinceMs);
    if (passed.length === NODES.length && gc.due + gc.pending === 0) return gc.deletedBuckets;
    await sleep(1000);
  }
  throw new Error('the collectors did not finish a pass and drain GC in 120 s');
}

function pksOf(census: Map<string, NodeCensus>, keyspace: string): Set<string> {
  return new Set([...census.values()].flatMap((n) => [...(n.keyspaces.get(keyspace)?.pks ?? [])]));
}

/** Live keys (tombstones apart) of `keyspace` over the nodes. */
function total(census: Map<string, NodeCensus>, keyspace: string): number {
  let keys = 0;
  for (const node of census.values()) {
    const entry = node.keyspaces.get(keyspace);
    keys += (entry?.keys ?? 0) - (entry?.tombstones ?? 0);
  }
  return keys;
}

function tombstones(census: Map<string, NodeCensus>, keyspace: string): number {
  let keys = 0;
  for (const node of census.values()) keys += node.keyspaces.get(keyspace)?.tombstones ?? 0;
  return keys;
}

it('bucket gc: 100 buckets created, filled, deleted leave nothing (3 nodes, n_val=3)', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
  await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: Buffer.alloc(90_000, 7) }));
  await sleep(10_000); // the kept bucket's usage counters flushed, GC's queue empty
  const before = await censusOfNodes();
  await eventually(() => s3.send(new HeadObjectCommand({ Bucket: 'kept', Key: 'k' })));
  const cycleStartMs = Date.now();
  const workers = Array.from({ length: 10 }, async (_, w) => {
    for (let n = w; n < BUCKETS; n += 10) await cycle(n);
  });
  await Promise.all(workers);
  const cycleMs = Date.now() - cycleStartMs;
  const collectors = await waitForCollection(Date.now());
  await sleep(5000); // tombstones are reaped 3 s after every replica has them
  const after = await censusOfNodes();
  const lines = [...DATA_KEYSPACES, 'buckets', 'user-buckets', 'deleted-buckets'].map(
    (ks) => `${ks} ${total(before, ks)} -> ${total(after, ks)} (+${tombstones(after, ks)} tomb)`,
  );
  const bytes = (c: Map<string, NodeCensus>, f: 'leveldbBytes' | 'blobBytes') =>
    [...c.values()].reduce((sum, node) => sum + node[f], 0);
  process.stdout.write(
    `bucket gc: ${BUCKETS} buckets cycled in ${cycleMs} ms; keys by keyspace (3 nodes) ` +
      `${lines.join(', ')}; leveldb ${bytes(before, 'leveldbBytes')} -> ` +
      `${bytes(after, 'leveldbBytes')} B compacted; blobs ${bytes(before, 'blobBytes')} -> ` +
      `${bytes(after, 'blobBytes')} B; collectors ${JSON.stringify(collectors)}\n`,
  );
  // At most what there was: the orphan sweeper may also have taken a stray block since.
  for (const ks of DATA_KEYSPACES) {
    if (ks === 'usage-counters') continue; // the kept bucket's may gain a writer's record
    expect(total(after, ks), ks).toBeLessThanOrEqual(total(before, ks));
  }
  expect(bytes(after, 'blobBytes')).toBeLessThanOrEqual(bytes(before, 'blobBytes'));
  // No deleted id keeps any record.
  const deletedIds = pksOf(after, 'deleted-buckets');
  expect(deletedIds.size).toBe(BUCKETS);
  for (const ks of DATA_KEYSPACES) {
    const left = [...pksOf(after, ks)].filter((pk) => deletedIds.has(pk.split('/')[0]!));
    expect(left, ks).toEqual([]);
  }
  const kept = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }));
  const body = Buffer.from(await kept.Body!.transformToByteArray());
  expect(body.equals(Buffer.alloc(90_000, 7))).toBe(true);
}, 600_000);
