/**
 * The operators' commands against a real 3-node cluster (scripts/dev-cluster.sh, two
 * stanchions, GC every 1 s with a 1 s leeway): `cairn ping` reaches a front end, a node
 * and a stanchion; `cairn-admin gc pause` holds every storage node's collector and `resume`
 * lets them drain the queue; `stanchion switch` points the front end at the standby and
 * bucket creation still works; `cluster-info --node` records member-status.
 */
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_JS, MAIN_JS } from '../helpers/cairn-process.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3Client } from '../helpers/s3-client.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: DevCluster;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-ops-cluster-'));
  cluster = await startDevCluster(3, {
    CAIRN_GC_LEEWAY_SECONDS: '1',
    CAIRN_GC_INTERVAL_SECONDS: '1',
  });
  await cluster.script('join');
  s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
  await s3.send(new CreateBucketCommand({ Bucket: 'held' }));
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await cluster?.cleanup();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

async function exec(script: string, args: string[]) {
  const env = {
    ...process.env,
    CAIRN_URL: cluster.endpoint,
    AWS_ACCESS_KEY_ID: cluster.keyId,
    AWS_SECRET_ACCESS_KEY: cluster.secret,
  };
  try {
    const out = await run(process.execPath, [script, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const admin = (...args: string[]) => exec(ADMIN_JS, args);
const due = async () => JSON.parse((await admin('gc', 'status', '--json')).stdout).due as number;

it('ping: a front end, a storage node and a stanchion answer pong', async () => {
  const base = cluster.basePort;
  for (const target of [
    ['--url', cluster.endpoint],
    ['--node', `127.0.0.1:${base + 1}`],
    ['--stanchion', `127.0.0.1:${base + 85}`],
  ]) {
    expect(await exec(MAIN_JS, ['ping', ...target])).toMatchObject({ code: 0, stdout: 'pong\n' });
  }
});

it('gc pause holds every node, resume lets them drain the queue', async () => {
  expect((await admin('gc', 'pause')).stdout).toBe('The garbage collection daemon was paused.\n');
  await sleep(6000); // every node reads the pause within its 5 s poll
  // Past object.inline_max (8 KiB): each object has a block, so its delete queues GC work.
  const body = 'x'.repeat(20_000);
  for (let i = 0; i < 5; i++) {
    await s3.send(new PutObjectCommand({ Bucket: 'held', Key: `k${i}`, Body: body }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'held', Key: `k${i}` }));
  }
  await sleep(4000);
  expect(await due()).toBeGreaterThanOrEqual(5);
  expect((await admin('gc', 'resume')).stdout).toBe('The garbage collection daemon was resumed.\n');
  const deadline = Date.now() + 30_000;
  while ((await due()) > 0) {
    if (Date.now() > deadline) throw new Error('the nodes did not drain the queue in 30 s');
    await sleep(1000);
  }
  // Each collector reports its last pass at most every 30 s unless it collected something,
  // so one that had nothing to do may be a little late to appear.
  let status = '';
  const listed = () => ['dev1', 'dev2', 'dev3'].every((n) => status.includes(`Collector ${n}@`));
  for (const until = Date.now() + 40_000; !listed() && Date.now() < until; await sleep(1000)) {
    status = (await admin('gc', 'status')).stdout;
  }
  for (const node of ['dev1', 'dev2', 'dev3']) expect(status).toContain(`Collector ${node}@`);
}, 150_000);

it('stanchion switch points the front end at the standby; changes still go through', async () => {
  const base = cluster.basePort;
  const shown = (await admin('stanchion', 'show')).stdout;
  const current = /^Current Stanchion Address: http:\/\/(\S+)$/m.exec(shown)![1]!;
  const other = current.endsWith(`:${base + 85}`) ? base + 86 : base + 85;
  const switched = await admin('stanchion', 'switch', '127.0.0.1', String(other));
  expect(switched.stdout).toContain(`Successfully switched stanchion to 127.0.0.1:${other}`);
  expect(switched.stdout).toContain('is a standby');
  expect((await admin('stanchion', 'show')).stdout).toContain(`http://127.0.0.1:${other}\n`);
  await s3.send(new CreateBucketCommand({ Bucket: 'after-switch' }));
  const nobody = await admin('stanchion', 'switch', '127.0.0.1', String(base + 99));
  expect(nobody.code).toBe(1);
  expect(nobody.stderr).toContain('nothing was changed');
});

it('cluster-info --node records member-status of all three nodes', async () => {
  const file = join(dir, 'cluster-info.txt');
  const node = `127.0.0.1:${cluster.basePort + 1}`;
  const written = await admin('--node', node, '--cookie', cluster.cookie, 'cluster-info', file);
  expect(written.code).toBe(0);
  const text = await readFile(file, 'utf8');
  expect(text).toContain('member-status (from dev1@127.0.0.1)');
  for (const name of ['dev1', 'dev2', 'dev3']) expect(text).toMatch(new RegExp(`valid.*${name}@`));
  expect(text).not.toContain(cluster.secret);
});
