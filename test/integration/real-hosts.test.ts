/**
 * docs/deploy.md's five-host install, on this machine: each "host" is its own loopback
 * address (127.0.0.2 … 127.0.0.6) with the same ports, which is how separate hosts look to
 * Cairn. Each gets its config files from deploy/etc/ edited as the guide says (the lines
 * marked "this host"; 10.0.0.N becomes 127.0.0.N+1), and its processes are started with the
 * ExecStart lines of deploy/systemd/ (paths moved under a temporary directory). The nodes are
 * joined with cairn-admin, the cluster converges, and S3 is served; nothing listens on
 * 127.0.0.1, so every process bound its own host's address.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../helpers/s3-client.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const HOSTS = [1, 2, 3, 4, 5];
const hostAddress = (n: number) => `127.0.0.${n + 1}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ports {
  node: number;
  stanchion: number;
  s3: number;
}

let dir: string;
let ports: Ports;
let cookie: string;
const children: ChildProcess[] = [];
const logs = new Map<string, string>();

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const server = createServer();
    server.once('error', () => res(false));
    server.listen(port, host, () => server.close(() => res(true)));
  });
}

/** Three ports free on every host address (and on 127.0.0.1, which must stay unused). */
async function freePorts(): Promise<Ports> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * 2000) * 10;
    const candidate = { node: base + 7, stanchion: base + 5, s3: base };
    const hosts = ['127.0.0.1', ...HOSTS.map(hostAddress)];
    const checks = hosts.flatMap((h) => Object.values(candidate).map((p) => portFree(h, p)));
    if ((await Promise.all(checks)).every(Boolean)) return candidate;
  }
  throw new Error('no free ports on the loopback hosts');
}

/**
 * A deploy/etc/ file as the guide has an operator edit it for host `n`: the lines after
 * "## (this host)" name host n; then this machine's stand-ins for the hosts, ports, paths.
 */
function forHost(template: string, n: number): string {
  const lines = template.split('\n');
  const mine = lines.map((line, i) =>
    i > 0 && lines[i - 1] === '## (this host)'
      ? line.replace('10.0.0.1', `10.0.0.${n}`).replace('dev1@', `dev${n}@`)
      : line,
  );
  return mine
    .join('\n')
    .replace(/10\.0\.0\.(\d)/g, (_m, h: string) => hostAddress(Number(h)))
    .replace(/:8087\b/g, `:${ports.node}`)
    .replace(/:8085\b/g, `:${ports.stanchion}`)
    .replace(/:8080\b/g, `:${ports.s3}`)
    .replace(/\/var\/lib\/cairn/g, join(dir, `host${n}`, 'var'))
    .replace(/^distributed_cookie = .*$/m, `distributed_cookie = ${cookie}`);
}

/** The unit's ExecStart, with this checkout for /opt/cairn and host n's /etc/cairn. */
async function execStart(program: string, n: number): Promise<string[]> {
  const unit = await readFile(join(ROOT, 'deploy/systemd', `cairn-${program}.service`), 'utf8');
  const line = /^ExecStart=(.*)$/m.exec(unit)![1]!;
  return line
    .replace('/opt/cairn', ROOT)
    .replace('/etc/cairn', join(dir, `host${n}`, 'etc'))
    .split(' ')
    .slice(1);
}

/** Starts `program` on host n; resolves once its log shows `ready`. */
async function start(program: string, n: number, ready: string): Promise<void> {
  const name = `${program}@host${n}`;
  const child = spawn(process.execPath, await execStart(program, n), {
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  logs.set(name, '');
  const append = (c: Buffer) => logs.set(name, logs.get(name)! + c.toString());
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  for (let i = 0; i < 600; i++) {
    if (logs.get(name)!.includes(ready)) return;
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${logs.get(name)}`);
    await sleep(100);
  }
  throw new Error(`${name} did not start in 60 s:\n${logs.get(name)}`);
}

async function admin(n: number, ...args: string[]): Promise<string> {
  const node = `${hostAddress(n)}:${ports.node}`;
  const env = { ...process.env, CAIRN_COOKIE: cookie };
  const out = await run(
    process.execPath,
    [join(ROOT, 'bin/cairn-admin.js'), '--node', node, ...args],
    {
      env,
      timeout: 60_000,
    },
  );
  return out.stdout;
}

async function waitForConvergence(timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await admin(1, 'member-status');
    const rows = status.split('\n').filter((l) => /^(valid|leaving|joining|down)/.test(l));
    if (rows.length === 5 && rows.every((r) => r.includes(' -- '))) return status;
    if (Date.now() > deadline) throw new Error(`no convergence:\n${status}`);
    await sleep(1000);
  }
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect(port, host);
    socket.once('connect', () => (socket.destroy(), res(false)));
    socket.once('error', () => res(true));
  });
}

describe('five hosts from per-host config files and the systemd units', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-hosts-'));
    ports = await freePorts();
    cookie = randomBytes(32).toString('hex');
    for (const n of HOSTS) {
      const etc = join(dir, `host${n}`, 'etc');
      await mkdir(etc, { recursive: true });
      for (const file of ['node.conf', 'stanchion.conf', 's3.conf']) {
        const template = await readFile(join(ROOT, 'deploy/etc', file), 'utf8');
        await writeFile(join(etc, file), forHost(template, n), { mode: 0o640 });
      }
    }
    await Promise.all(HOSTS.map((n) => start('node', n, 'is running')));
    await start('stanchion', 1, 'AWS_SECRET_ACCESS_KEY=');
    await start('stanchion', 2, 'AWS_SECRET_ACCESS_KEY=');
    await start('s3', 1, 'S3 endpoint');
  }, 300_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('joins the five nodes and serves S3', async () => {
    for (const n of HOSTS.slice(1)) {
      await admin(n, 'cluster', 'join', `dev1@${hostAddress(1)}:${ports.node}`);
    }
    expect(await admin(1, 'cluster', 'plan')).toMatch(/Transfers resulting/);
    await admin(1, 'cluster', 'commit');
    const status = await waitForConvergence(180_000);
    for (const n of HOSTS) expect(status).toContain(`'dev${n}@${hostAddress(n)}'`);
    const log = logs.get('stanchion@host1')!;
    const keyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(log)![1]!;
    const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(log)![1]!;
    const url = `http://${hostAddress(1)}:${ports.s3}`;
    const s3: S3Client = s3Client({ url, keyId, secret });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'hosts' }));
      const bodies = HOSTS.map((n) => randomBytes(10_000 * n));
      for (const [i, body] of bodies.entries()) {
        await s3.send(new PutObjectCommand({ Bucket: 'hosts', Key: `k${i}`, Body: body }));
      }
      for (const [i, body] of bodies.entries()) {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'hosts', Key: `k${i}` }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
      }
    } finally {
      s3.destroy();
    }
    for (const port of Object.values(ports)) expect(await refused('127.0.0.1', port)).toBe(true);
  }, 300_000);
});
