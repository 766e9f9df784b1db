/**
 * Real clusters of separate processes (scripts/dev-cluster.sh), one scenario after the
 * other (they would starve each other on two cores):
 * - rebalance: four nodes hold data, a fifth joins while clients keep writing, ownership
 *   rebalances to about a fifth each, every object reads back intact; the first seed node
 *   (the claimant) is killed and traffic goes on; a node leaves and nothing is lost.
 * - replication under faults: the checker (scripts/fault-check) kills, pauses and wipes
 *   replica nodes under a workload; nothing acknowledged is lost and all replicas agree.
 *   A control run with anti-entropy off must fail, so the checker is shown able to fail.
 *   The versioned workload (issue 19) must lose no acknowledged version either.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3Client } from '../helpers/s3-client.js';

let cluster: DevCluster;
let s3: S3Client;
const written = new Map<string, string>();

function bodyOf(key: string): Buffer {
  const size = key.endsWith('0') ? 1_500_000 : 40_000;
  const seed = createHash('sha256').update(key).digest();
  return Buffer.alloc(size, seed);
}

async function put(key: string): Promise<void> {
  const body = bodyOf(key);
  await s3.send(new PutObjectCommand({ Bucket: 'rebalance', Key: key, Body: body }));
  written.set(key, createHash('md5').update(body).digest('hex'));
}

async function verifyAll(): Promise<number> {
  let verified = 0;
  for (const [key, md5] of written) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'rebalance', Key: key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash('md5').update(bytes).digest('hex'), key).toBe(md5);
    verified++;
  }
  return verified;
}

async function waitForConvergence(timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await cluster.admin('member-status');
    const rows = status.split('\n').filter((l) => /^(valid|leaving|joining|down)/.test(l));
    if (rows.length > 0 && rows.every((r) => r.includes(' -- ')) && !status.includes('leaving')) {
      return status;
    }
    if (Date.now() > deadline) throw new Error(`no convergence:\n${status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('cluster: rebalance (5 processes, n_val=3, w=2)', () => {
  beforeAll(async () => {
    // Handoff at 1 MB/s, so that the writes below overlap the transfers.
    cluster = await startDevCluster(5, { CAIRN_HANDOFF_MBPS: '1' });
    s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await cluster?.cleanup();
  });

  it('joins a fifth node under write load; every object survives; ownership balances', async () => {
    for (const n of [2, 3, 4]) {
      await cluster.script(
        'admin',
        '--node',
        `127.0.0.1:${cluster.basePort + n}`,
        'cluster',
        'join',
        `dev1@127.0.0.1:${cluster.basePort + 1}`,
      );
    }
    await cluster.admin('cluster', 'commit');
    await waitForConvergence(60_000);
    await s3.send(new CreateBucketCommand({ Bucket: 'rebalance' }));
    for (let i = 0; i < 40; i++) await put(`before/${i}`);

    await cluster.script(
      'admin',
      '--node',
      `127.0.0.1:${cluster.basePort + 5}`,
      'cluster',
      'join',
      `dev1@127.0.0.1:${cluster.basePort + 1}`,
    );
    const plan = await cluster.admin('cluster', 'plan');
    expect(plan).toMatch(/Transfers resulting from cluster changes: \d+/);
    await cluster.admin('cluster', 'commit');
    const writes = (async () => {
      for (let i = 0; i < 40; i++) await put(`during/${i}`);
    })();
    await writes;
    const status = await waitForConvergence(90_000);

    const shares = [...status.matchAll(/^valid\s+([\d.]+)%/gm)].map((m) => Number(m[1]));
    expect(shares).toHaveLength(5);
    for (const share of shares) expect(Math.abs(share - 20)).toBeLessThanOrEqual(2);
    expect(await verifyAll()).toBe(80);
  }, 240_000);

  it('keeps serving with the first seed node (the claimant) killed, via fallbacks', async () => {
    await cluster.script('kill', 'dev1');
    for (let i = 0; i < 10; i++) await put(`killed/${i}`);
    expect(await verifyAll()).toBe(90);
    const viaDev2 = ['admin', '--node', `127.0.0.1:${cluster.basePort + 2}`, 'member-status'];
    const seenDown = Date.now() + 15_000;
    while (!/^down .*'dev1@127.0.0.1'$/m.test(await cluster.script(...viaDev2))) {
      if (Date.now() > seenDown) throw new Error('dev2 never saw dev1 go down');
      await new Promise((r) => setTimeout(r, 500));
    }
    await cluster.script('restart', 'dev1');
    const deadline = Date.now() + 20_000;
    const statusNow = () => cluster.admin('member-status').catch(() => 'not up yet');
    while (!(await statusNow()).includes('Down:0')) {
      if (Date.now() > deadline) throw new Error('dev1 did not come back');
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 120_000);

  it('lets a node leave: its partitions move away and nothing is lost', async () => {
    await cluster.admin('cluster', 'leave', 'dev5@127.0.0.1');
    await cluster.admin('cluster', 'commit');
    const status = await waitForConvergence(90_000);
    expect(status).not.toContain('dev5@127.0.0.1');
    expect(status).toContain('Valid:4 /');
    expect(await verifyAll()).toBe(90);
    await new Promise((r) => setTimeout(r, 12_000));
    const blobs = await readdir(join(cluster.dir, 'dev5', 'blobs')).catch(() => []);
    const left = await Promise.all(
      blobs.map((d) => readdir(join(cluster.dir, 'dev5', 'blobs', d))),
    );
    expect(left.flat()).toEqual([]);
  }, 240_000);
});

const run = promisify(execFile);
const CHECK = resolve(import.meta.dirname, '../../dist/scripts/fault-check/main.js');

async function check(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(process.execPath, [CHECK, ...args], {
      env: { ...process.env, ...env },
      timeout: 280_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: `${e.stdout}\n${e.stderr}` };
  }
}

describe('replication under faults (5 processes, n_val=3, w=2)', () => {
  it('loses no acknowledged write and converges after kill, pause and wipe', async () => {
    const result = await check([
      '--keys',
      '40',
      '--pause-seconds',
      '20',
      '--settle-seconds',
      '120',
    ]);
    expect(result.stdout).toMatch(/^faults injected: 3$/m);
    expect(result.stdout).toMatch(/^lost = 0$/m);
    expect(result.stdout).toMatch(/^replicas disagreeing: 0$/m);
    expect(Number(/^operations acknowledged: (\d+)$/m.exec(result.stdout)?.[1])).toBeGreaterThan(
      100,
    );
    expect(result.code, result.stdout).toBe(0);
  }, 300_000);

  it('loses no acknowledged version and the replicas list the same versions', async () => {
    const result = await check([
      '--versioned',
      '--keys',
      '20',
      '--pause-seconds',
      '10',
      '--settle-seconds',
      '120',
    ]);
    expect(result.stdout).toMatch(/^faults injected: 3$/m);
    expect(result.stdout).toMatch(/^lost = 0$/m);
    expect(result.stdout).toMatch(/^replicas disagreeing: 0$/m);
    expect(Number(/^versions verified: (\d+)$/m.exec(result.stdout)?.[1])).toBeGreaterThan(20);
    expect(result.code, result.stdout).toBe(0);
  }, 300_000);

  it('detects a versions range the wiped replica lacks when anti-entropy is off', async () => {
    const result = await check(
      ['--versioned', '--keys', '20', '--pause-seconds', '2', '--settle-seconds', '10'],
      { CAIRN_CHECK_AAE_INTERVAL_MS: '3600000' },
    );
    const disagreeing = Number(/^replicas disagreeing: (\d+)$/m.exec(result.stdout)?.[1]);
    expect(disagreeing, result.stdout).toBeGreaterThan(0);
    expect(result.code).toBe(1);
  }, 300_000);

  it('detects the wiped replica when anti-entropy is off (control)', async () => {
    const result = await check(['--keys', '20', '--pause-seconds', '2', '--settle-seconds', '10'], {
      CAIRN_CHECK_AAE_INTERVAL_MS: '3600000',
    });
    const disagreeing = Number(/^replicas disagreeing: (\d+)$/m.exec(result.stdout)?.[1]);
    expect(disagreeing, result.stdout).toBeGreaterThan(0);
    expect(result.code).toBe(1);
  }, 300_000);
});
