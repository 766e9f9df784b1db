/**
 * The same guarantees in a cluster (3 nodes, 2 stanchions, an S3 front end, every process
 * at --log-level trace, the stanchions and front end with --secret-key-file):
 * - a node's and a stanchion's data dirs are 0700 with every file 0600;
 * - no log line of any process (nodes, stanchions, front ends) holds a user's secret or a
 *   signature, credential or chunk signature the clients sent (recorded on their side);
 * - `cairn s3 --tls-cert --tls-key` serves boto3 over HTTPS, verified against a test CA;
 * - `cairn rekey-secrets` (the ring with --nodes, then each stanchion's and node's data dir)
 *   moves every secret to a new key: users keep authenticating with their keys, and no
 *   file of any data dir holds a secret in the clear or sealed under the old key.
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTag } from '../../stanchion/core/secret-seal.js';
import { awsSdkV2Flow } from '../compat/aws-sdk-v2-flow.js';
import { MAIN_JS } from '../helpers/cairn-process.js';
import { findInFiles } from '../helpers/data-dir-scan.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { wrongModes } from '../helpers/file-modes.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { makeTestCa, type TestCa } from '../helpers/server-ca.js';
import { missingTool } from '../helpers/tools.js';

const run = promisify(execFile);
const COMPAT = resolve(import.meta.dirname, '../compat');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: DevCluster;
let proxy: RecordingProxy;
let ca: TestCa;
let keyPath: string;
let tag: string;
const users: Array<{ keyId: string; secret: string }> = [];
let tlsOutput = '';

beforeAll(async () => {
  ca = await makeTestCa();
  keyPath = join(ca.dir, 'secrets.key');
  const key = randomBytes(32);
  await writeFile(keyPath, key, { mode: 0o600 });
  tag = keyTag(key);
  cluster = await startDevCluster(3, { CAIRN_LOG_LEVEL: 'trace', CAIRN_SECRET_KEY_FILE: keyPath });
  await cluster.script('join');
  proxy = await startRecordingProxy(cluster.basePort + 80);
}, 180_000);
afterAll(async () => {
  await proxy?.close();
  await cluster?.cleanup();
  await ca?.cleanup();
}, 60_000);

const admin = () => ({ keyId: cluster.keyId, secret: cluster.secret });
const nodeAddresses = () => [1, 2, 3].map((i) => `127.0.0.1:${cluster.basePort + i}`);

async function newUser(name: string): Promise<{ keyId: string; secret: string }> {
  const res = await signedFetch(proxy.url, '/riak-cs/user', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email: `${name}@example.com`, name }),
    credentials: admin(),
  });
  expect(res.status).toBe(201);
  const json = (await res.json()) as { key_id: string; key_secret: string };
  const user = { keyId: json.key_id, secret: json.key_secret };
  users.push(user);
  return user;
}

function flowEnv(user: { keyId: string; secret: string }, url: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_URL: url, CAIRN_CA: ca.caPath };
  delete env.AWS_CA_BUNDLE;
  return { ...env, AWS_ACCESS_KEY_ID: user.keyId, AWS_SECRET_ACCESS_KEY: user.secret };
}

/** Starts `cairn s3` with TLS beside the cluster's; resolves with its https endpoint. */
async function startTlsFrontEnd(): Promise<{ child: ChildProcess; url: string }> {
  const pair = await ca.issue('s3', 'cairn-s3');
  const stanchions = [85, 86].map((p) => `127.0.0.1:${cluster.basePort + p}`).join(',');
  const args = ['s3', '--port', '0', '--nodes', nodeAddresses().join(','), '--stanchion'];
  const child = spawn(
    process.execPath,
    [MAIN_JS, ...args, stanchions, '--cookie', cluster.cookie, '--tls-cert', pair.certPath],
    {
      env: {
        ...process.env,
        CAIRN_TLS_KEY: pair.keyPath,
        CAIRN_SECRET_KEY_FILE: keyPath,
        CAIRN_LOG_LEVEL: 'trace',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => (tlsOutput += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (tlsOutput += d.toString()));
  for (let i = 0; i < 200; i++) {
    const url = /^S3 endpoint: (https:\S+)$/m.exec(tlsOutput)?.[1];
    if (url) return { child, url };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`cairn s3 with TLS did not start:\n${tlsOutput}`);
}

async function logText(): Promise<string> {
  const dir = join(cluster.dir, 'log');
  const texts = await Promise.all(
    (await readdir(dir)).map((name) => readFile(join(dir, name), 'utf8')),
  );
  return [...texts, tlsOutput]
    .join('\n')
    .split('\n')
    .filter((line) => !line.startsWith('AWS_SECRET_ACCESS_KEY='))
    .join('\n');
}

async function authenticates(user: { keyId: string; secret: string }): Promise<boolean> {
  const s3 = s3Client({ url: proxy.url, ...user });
  try {
    await s3.send(new ListBucketsCommand({}));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

describe('secrets in a cluster', () => {
  it('serves the flows: boto3, aws-sdk v2 (V2, V4), and boto3 over TLS on cairn s3', async () => {
    if (!missingTool('boto3')) {
      const env = flowEnv(await newUser('boto3'), proxy.url);
      const out = await run('/usr/bin/python3', [`${COMPAT}/boto3_flow.py`], { env });
      expect(out.stdout).toContain('boto3 flow OK');
    }
    for (const version of ['v2', 'v4'] as const) {
      const user = await newUser(`sdk${version}`);
      await awsSdkV2Flow({ url: proxy.url, ...user }, version);
    }
    if (!missingTool('boto3')) {
      const tls = await startTlsFrontEnd();
      try {
        const env = flowEnv(await newUser('tls'), tls.url);
        const out = await run('/usr/bin/python3', [`${COMPAT}/boto3_tls_flow.py`], { env });
        expect(out.stdout).toContain('boto3 tls flow OK');
      } finally {
        tls.child.kill('SIGTERM');
      }
    }
  }, 300_000);

  it("keeps a node's and a stanchion's data dir private (0700, files 0600)", async () => {
    for (const name of ['dev1', 'stanchion1']) {
      const { checked, wrong } = await wrongModes(join(cluster.dir, name));
      expect(checked, name).toBeGreaterThan(5);
      expect(wrong, name).toEqual([]);
    }
  });

  it('logs no secret or signature in any process, at trace', async () => {
    const log = await logText();
    expect(log).toContain('"msg":"incoming request"');
    const seen = [...proxy.credentials()];
    expect(seen.length).toBeGreaterThan(20);
    const secrets = [...users.map((u) => u.secret), cluster.secret];
    expect([...secrets, ...seen].filter((s) => log.includes(s))).toEqual([]);
  });

  it('rekey-secrets moves the cluster to a new key; the old key opens nothing', async () => {
    for (const name of ['s3', 'stanchion1', 'stanchion2']) await cluster.script('kill', name);
    const newKey = randomBytes(32);
    const newPath = join(ca.dir, 'new.key');
    await writeFile(newPath, newKey, { mode: 0o600 });
    const keys = ['--secret-key-file', keyPath, '--new-secret-key-file', newPath];
    const cairn = (...args: string[]) =>
      run(process.execPath, [MAIN_JS, 'rekey-secrets', ...args], { timeout: 120_000 });
    const ring = await cairn(
      '--nodes',
      nodeAddresses().join(','),
      '--cookie',
      cluster.cookie,
      ...keys,
    );
    expect(ring.stdout).toContain(`re-sealed under key ${keyTag(newKey)} (was key ${tag})`);
    for (const name of ['stanchion1', 'stanchion2']) {
      await cairn('--data-dir', join(cluster.dir, name), ...keys);
    }
    for (const name of ['dev1', 'dev2', 'dev3']) {
      await cluster.script('kill', name);
      await cairn('--data-dir', join(cluster.dir, name));
      await cluster.script('restart', name);
    }
    await copyFile(newPath, keyPath);
    for (const name of ['stanchion1', 'stanchion2', 's3']) await cluster.script('restart', name);
    for (let i = 0; !(await authenticates(users[0]!)); i++) {
      if (i > 120) throw new Error(`the cluster did not come back:\n${await logText()}`);
      await sleep(500);
    }
    for (const user of users) expect(await authenticates(user)).toBe(true);
    await cluster.script('stop');
    const dirs = ['dev1', 'dev2', 'dev3', 'stanchion1', 'stanchion2'];
    const needles = [`sealed:v1:${tag}:`, ...users.map((u) => u.secret), cluster.secret];
    for (const name of dirs) {
      expect(await findInFiles(join(cluster.dir, name), needles), name).toEqual({});
    }
  }, 300_000);
});
