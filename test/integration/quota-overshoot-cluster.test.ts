/**
 * How far a cluster overshoots a quota (README "Quotas"): each front end sees what the
 * others wrote only once they flush their counters (CAIRN_USAGE_FLUSH_SECONDS) and its own
 * quota cache refreshes (1 s), so concurrent writers on every front end may together pass
 * the quota by at most (flush interval + refresh) × the cluster's write rate, plus the
 * writes in flight. A real 3-node cluster (scripts/dev-cluster.sh) with both of its front
 * ends (s3, s3b), two writers on each (at most 8 PUTs/s each), fills a bucket with a byte
 * quota; the test measures the overshoot against a listing and asserts it stays within that
 * bound. A front end that ignored the others' writes would overshoot by about the whole
 * quota, far past the bound.
 */
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ADMIN_JS } from '../helpers/cairn-process.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { codeOf } from '../helpers/s3-errors.js';

const FLUSH_S = 1;
const REFRESH_S = 1; // QUOTA_REFRESH_MS_DEFAULT
const OBJECT_BYTES = 1024;
const QUOTA_BYTES = 300 * OBJECT_BYTES;
/** Each writer's pace at most: keeps the bound well under the quota on a fast machine. */
const WRITE_INTERVAL_MS = 125;
const WRITERS_PER_FRONT_END = 2;
const BUCKET = 'overshoot';

let cluster: DevCluster;
let clients: S3Client[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function clientOf(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: cluster.keyId, secretAccessKey: cluster.secret },
  });
}

beforeAll(async () => {
  cluster = await startDevCluster(3, { CAIRN_USAGE_FLUSH_SECONDS: String(FLUSH_S) });
  await cluster.script('restart', 's3b');
  const endpointB = `http://127.0.0.1:${cluster.basePort + 81}`;
  for (
    let i = 0;
    !(await fetch(endpointB).then(
      () => true,
      () => false,
    ));
    i++
  ) {
    if (i > 100) throw new Error('the second front end did not start');
    await sleep(100);
  }
  clients = [clientOf(cluster.endpoint), clientOf(endpointB)];
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.destroy();
  await cluster?.cleanup();
}, 60_000);

/** One writer: new keys until its first refusal; the times of its stored writes. */
async function writer(client: S3Client, name: string): Promise<number[]> {
  const stored: number[] = [];
  for (let n = 0; n < 10_000; n++) {
    const beganMs = performance.now();
    const put = client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${name}-${n}`,
        Body: Buffer.alloc(OBJECT_BYTES),
      }),
    );
    const code = await codeOf(put);
    if (code === 'QuotaExceeded') return stored;
    expect(code).toBe('ok');
    stored.push(performance.now());
    await sleep(WRITE_INTERVAL_MS - (performance.now() - beganMs));
  }
  throw new Error('the quota never refused a write');
}

async function storedBytes(client: S3Client): Promise<number> {
  let bytes = 0;
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) bytes += o.Size ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return bytes;
}

describe('quotas in a cluster', () => {
  it('overshoot: writers on every front end stay within the documented bound', async () => {
    await clients[0]!.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const env = {
      ...process.env,
      CAIRN_URL: cluster.endpoint,
      AWS_ACCESS_KEY_ID: cluster.keyId,
      AWS_SECRET_ACCESS_KEY: cluster.secret,
    };
    const args = ['quota', 'set', '--bucket', BUCKET, '--max-bytes', String(QUOTA_BYTES)];
    await promisify(execFile)(process.execPath, [ADMIN_JS, ...args], { env, timeout: 30_000 });
    const startMs = performance.now();
    const runs = clients.flatMap((client, f) =>
      Array.from({ length: WRITERS_PER_FRONT_END }, (_, w) => writer(client, `f${f}w${w}`)),
    );
    const times = (await Promise.all(runs)).flat();
    const seconds = (Math.max(...times) - startMs) / 1000;
    const rateBytesPerS = (times.length * OBJECT_BYTES) / seconds;
    const inFlightBytes = clients.length * WRITERS_PER_FRONT_END * OBJECT_BYTES;
    const boundBytes = (FLUSH_S + REFRESH_S) * rateBytesPerS + inFlightBytes;
    const stored = await storedBytes(clients[0]!);
    const overshoot = stored - QUOTA_BYTES;
    console.log(
      `quota overshoot: ${overshoot} B over ${QUOTA_BYTES} B; ${times.length} writes in ` +
        `${seconds.toFixed(1)} s (${Math.round(rateBytesPerS)} B/s); ` +
        `bound ${Math.round(boundBytes)} B`,
    );
    expect(stored).toBe(times.length * OBJECT_BYTES);
    // The quota was used, not refused early by a front end that overcounted.
    expect(stored).toBeGreaterThanOrEqual(QUOTA_BYTES - inFlightBytes);
    expect(overshoot).toBeLessThanOrEqual(boundBytes);
    // The bound is tighter than the failure it guards against (each front end alone).
    expect(boundBytes).toBeLessThan(QUOTA_BYTES);
  }, 240_000);
});
