/**
 * The orphan sweeper's mark split by partition, in a real 3-node cluster: each storage node
 * marks only the buckets whose manifests' partition it is primary for, so one node's share
 * of the mark falls as nodes are added; together the nodes mark every bucket once, and a
 * sweep still runs (the published marks cover the ring) and keeps every live object.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3Client } from '../helpers/s3-client.js';

const NODES = ['dev1', 'dev2', 'dev3'];
const BUCKETS = 12;
let cluster: DevCluster;
let s3: S3Client;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startDevCluster(3, {
    CAIRN_GC_LEEWAY_SECONDS: '2',
    CAIRN_GC_SWEEP_INTERVAL_SECONDS: '3',
  });
  await cluster.script('join');
  s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await cluster?.cleanup();
}, 60_000);

/** The buckets each node's last complete sweep marked (undefined: none yet). */
async function lastMarks(): Promise<Array<number | undefined>> {
  return Promise.all(
    NODES.map(async (node) => {
      const log = await readFile(join(cluster.dir, 'log', `${node}.log`), 'utf8');
      const complete = [...log.matchAll(/^gc: orphan sweep .*; marked (\d+) buckets$/gm)];
      const last = complete.at(-1);
      return last ? Number(last[1]) : undefined;
    }),
  );
}

it('orphan mark: each node marks only its share of the buckets (3 nodes)', async () => {
  for (let i = 0; i < BUCKETS; i++) {
    const Bucket = `mark-${i}`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.alloc(70_000, i) }));
  }
  const settledMs = Date.now();
  let marks: Array<number | undefined> = [];
  // A pass that began before the last write may not have seen every bucket, and under load
  // a pass can take longer than its interval: wait for every node's last pass to have seen
  // its whole share (bounded: past it, the sum below fails).
  const total = (m: Array<number | undefined>) => m.reduce<number>((a, b) => a + (b ?? 0), 0);
  for (let i = 0; i < 120; i++) {
    await sleep(1000);
    marks = await lastMarks();
    const passed = Date.now() - settledMs > 8000 && marks.every((m) => m !== undefined);
    if (passed && total(marks) === BUCKETS) break;
  }
  process.stdout.write(`orphan mark: buckets marked per node ${JSON.stringify(marks)}\n`);
  const counts = marks.map((m) => m ?? -1);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(BUCKETS);
  for (const count of counts) expect(count).toBeLessThan(BUCKETS);
  const metrics = await (await fetch(`http://127.0.0.1:${cluster.basePort + 1}/metrics`)).text();
  expect(metrics).toMatch(/^cairn_gc_mark_buckets_total \d+$/m);
  for (let i = 0; i < BUCKETS; i++) {
    const got = await s3.send(new GetObjectCommand({ Bucket: `mark-${i}`, Key: 'k' }));
    expect((await got.Body!.transformToByteArray()).length).toBe(70_000);
  }
}, 300_000);
