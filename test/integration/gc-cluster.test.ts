/**
 * GC in a real 3-node cluster (scripts/dev-cluster.sh, n_val=3, leeway 2 s): the front end
 * only queues; the storage nodes collect the shards they are primary for. After objects
 * are overwritten and deleted, the queue drains, more than one node does the collecting,
 * and the nodes' blob files come down to the live data × n_val.
 */
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { dirBytes } from '../helpers/disk.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { s3Client } from '../helpers/s3-client.js';

const BLOCK_BYTES = 128 * 1024;
let cluster: DevCluster;
let s3: S3Client;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startDevCluster(3, {
    CAIRN_GC_LEEWAY_SECONDS: '2',
    CAIRN_GC_INTERVAL_SECONDS: '1',
    CAIRN_BLOCK_SIZE: String(BLOCK_BYTES),
  });
  await cluster.script('join');
  s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await cluster?.cleanup();
}, 60_000);

it('gc: the nodes collect what the front end queued (3 nodes, n_val=3)', async () => {
  const res = await signedFetch(cluster.endpoint, '/gc-cluster', {
    method: 'PUT',
    credentials: cluster,
  });
  expect(res.status).toBe(200);
  const block = (seed: number) => Buffer.alloc(BLOCK_BYTES * 2, seed);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 20; i++) {
      await s3.send(
        new PutObjectCommand({ Bucket: 'gc-cluster', Key: `k${i}`, Body: block(round) }),
      );
    }
  }
  for (let i = 10; i < 20; i++) {
    await s3.send(new DeleteObjectCommand({ Bucket: 'gc-cluster', Key: `k${i}` }));
  }
  const liveBytes = 10 * BLOCK_BYTES * 2;
  let blobs = 0;
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    blobs = 0;
    for (const node of ['dev1', 'dev2', 'dev3']) {
      blobs += await dirBytes(join(cluster.dir, node, 'blobs'));
    }
    // Exactly: a PUT is acknowledged at w=2, so a third replica's block may still be on its
    // way when the collectors are done; stopping at the first sample at or under the goal
    // could catch that moment (seen once under load: 6 replica blocks short, then complete).
    if (blobs === liveBytes * 3) break;
  }
  const status = await signedFetch(cluster.endpoint, '/riak-cs/gc', { credentials: cluster });
  const backlog = (await status.json()) as { due: number; pending: number };
  const collectors: string[] = [];
  for (const node of ['dev1', 'dev2', 'dev3']) {
    const log = await readFile(join(cluster.dir, 'log', `${node}.log`), 'utf8');
    if (/gc: collected \d+ entries/.test(log)) collectors.push(node);
  }
  process.stdout.write(
    `gc cluster: blob files ${blobs} B for live ${liveBytes} B × 3; ` +
      `backlog ${JSON.stringify(backlog)}; collected by ${collectors.join(', ')}\n`,
  );
  const metrics = await (await fetch(`http://127.0.0.1:${cluster.basePort + 1}/metrics`)).text();
  expect(metrics).toMatch(/^cairn_gc_backlog\{state="due"\} 0$/m);
  expect(metrics).toMatch(/^cairn_gc_collected_total \d+$/m);
  expect(backlog.due).toBe(0);
  expect(blobs).toBe(liveBytes * 3);
  expect(collectors.length).toBeGreaterThan(1);
}, 150_000);
