/**
 * Internal protocol versions between real processes (scripts/dev-cluster.sh, four nodes, a
 * stanchion and an S3 front end, all speaking 1.0): dev1 and dev2 form a cluster holding
 * data; dev3, restarted claiming 1.1 (a build one minor newer), joins it, takes its share of
 * partitions and the cluster serves S3 through it; dev4, restarted claiming 2.0, is refused:
 * its `cluster join` fails naming both versions and nothing is staged or changed.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, MAIN_JS } from '../helpers/cairn-process.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3Client } from '../helpers/s3-client.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: DevCluster;
let s3: S3Client;
const written = new Map<string, string>();

const address = (n: number) => `127.0.0.1:${cluster.basePort + n}`;

/** cairn-admin against node `n`, speaking `version`; rejects with its stderr. */
async function admin(n: number, version: string | undefined, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_COOKIE: cluster.cookie };
  if (version) env.CAIRN_TEST_PROTOCOL_VERSION = version;
  else delete env.CAIRN_TEST_PROTOCOL_VERSION;
  try {
    const out = await run(process.execPath, [ADMIN_JS, '--node', address(n), ...args], {
      env,
      timeout: 60_000,
    });
    return out.stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Restarts devN as a build speaking `version`, in place of the script's process. */
async function relaunch(n: number, version: string): Promise<void> {
  const name = `dev${n}`;
  await cluster.script('kill', name);
  const logPath = join(cluster.dir, 'log', `${name}.log`);
  const from = (await stat(logPath)).size;
  const log = openSync(logPath, 'a');
  const args = ['node', '--name', `${name}@127.0.0.1`, '--port', String(cluster.basePort + n)];
  const child = spawn(process.execPath, [MAIN_JS, ...args, '--data-dir', join(cluster.dir, name)], {
    env: { ...process.env, CAIRN_COOKIE: cluster.cookie, CAIRN_TEST_PROTOCOL_VERSION: version },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  // The cluster's cleanup kills by pid file: this process is in it like the others.
  await writeFile(join(cluster.dir, 'pids', `${name}.pid`), String(child.pid));
  for (let i = 0; i < 300; i++) {
    if ((await readFile(logPath)).subarray(from).includes('is running')) return;
    if (child.exitCode !== null) throw new Error(`${name} exited; see ${logPath}`);
    await sleep(100);
  }
  throw new Error(`${name} did not start in 30 s`);
}

async function waitForConvergence(timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await cluster.admin('member-status');
    const rows = status.split('\n').filter((l) => /^(valid|leaving|joining|down)/.test(l));
    if (rows.length > 0 && rows.every((r) => r.includes(' -- '))) return status;
    if (Date.now() > deadline) throw new Error(`no convergence:\n${status}`);
    await sleep(500);
  }
}

async function put(key: string): Promise<void> {
  const body = Buffer.alloc(20_000 + written.size, createHash('sha256').update(key).digest());
  await s3.send(new PutObjectCommand({ Bucket: 'upgrade', Key: key, Body: body }));
  written.set(key, createHash('md5').update(body).digest('hex'));
}

async function verifyAll(): Promise<void> {
  for (const [key, md5] of written) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'upgrade', Key: key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash('md5').update(bytes).digest('hex'), key).toBe(md5);
  }
}

describe('protocol versions across a rolling upgrade (4 processes)', () => {
  beforeAll(async () => {
    cluster = await startDevCluster(4);
    s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
    await admin(2, undefined, 'cluster', 'join', `dev1@${address(1)}`);
    await cluster.admin('cluster', 'commit');
    await waitForConvergence(60_000);
    await s3.send(new CreateBucketCommand({ Bucket: 'upgrade' }));
    for (let i = 0; i < 20; i++) await put(`before/${i}`);
  }, 240_000);
  afterAll(async () => {
    s3?.destroy();
    await cluster?.cleanup();
  });

  it('a node one minor newer joins and serves the 1.0 cluster', async () => {
    await relaunch(3, '1.1');
    const ping = await fetch(`http://${address(3)}/ping`);
    expect(ping.headers.get('x-cairn-protocol')).toBe('1.1');
    await admin(3, '1.1', 'cluster', 'join', `dev1@${address(1)}`);
    expect(await cluster.admin('cluster', 'plan')).toMatch(/dev3@127\.0\.0\.1/);
    await cluster.admin('cluster', 'commit');
    const status = await waitForConvergence(120_000);
    const shares = [...status.matchAll(/^valid\s+([\d.]+)%.*dev(\d)/gm)];
    expect(shares.map((m) => m[2]).sort()).toEqual(['1', '2', '3']);
    for (const [, share] of shares) expect(Number(share)).toBeGreaterThan(20);
    for (let i = 0; i < 20; i++) await put(`after/${i}`);
    await verifyAll();
  }, 240_000);

  it('a node of another major is refused, naming both versions, and nothing changes', async () => {
    const before = await cluster.admin('member-status');
    await relaunch(4, '2.0');
    const join = admin(4, '2.0', 'cluster', 'join', `dev1@${address(1)}`);
    await expect(join).rejects.toThrow(/speaks 2\.0, 127\.0\.0\.1:\d+ speaks 1\.0/);
    const fromOld = admin(4, undefined, 'member-status');
    await expect(fromOld).rejects.toThrow(/1\.0.*2\.0/);
    const plan = await cluster.admin('cluster', 'plan');
    expect(plan).not.toMatch(/dev4/);
    expect(await cluster.admin('member-status')).toBe(before);
    await verifyAll();
  }, 240_000);
});
