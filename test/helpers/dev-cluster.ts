/**
 * Drives scripts/dev-cluster.sh from tests: a temporary CAIRN_DEV_DIR, a base port whose
 * range is free, and a cleanup that stops every process the script started (by the PIDs
 * in its pid files, SIGKILL as the last resort) and removes the directory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../../scripts/dev-cluster.sh');

/** A dev cluster under test. */
export interface DevCluster {
  dir: string;
  basePort: number;
  endpoint: string;
  keyId: string;
  secret: string;
  /** The cluster cookie the script made (in dir/cookie). */
  cookie: string;
  /** What `start` printed. */
  startOutput: string;
  /** Runs the script with `args`; resolves with its stdout. */
  script(...args: string[]): Promise<string>;
  /** Runs cairn-admin against dev1 (or `node`). */
  admin(...args: string[]): Promise<string>;
  /**
   * Resolves once nothing moves (no pending share in member-status, no node down or
   * joining, no transfer active); rejects after `timeoutMs`.
   */
  settled(timeoutMs: number): Promise<void>;
  cleanup(): Promise<void>;
}

async function untilSettled(cluster: DevCluster, timeoutMs: number): Promise<void> {
  const startedMs = Date.now();
  while (Date.now() - startedMs < timeoutMs) {
    const status = await cluster.admin('member-status');
    const moving = /\d%\s+\d/.test(status) || /down|joining/.test(status);
    if (!moving && (await cluster.admin('transfers')).startsWith('No transfers active')) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the cluster did not settle in ${timeoutMs} ms`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const server = createServer();
    server.once('error', () => res(false));
    server.listen(port, '127.0.0.1', () => server.close(() => res(true)));
  });
}

async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the ephemeral range (32768+), where port-0 servers and clients land.
    const base = 10_000 + Math.floor(Math.random() * 220) * 100;
    const ports = [
      ...Array.from({ length: 10 }, (_, i) => base + i),
      base + 80,
      base + 81,
      base + 85,
      base + 86,
    ];
    const free = await Promise.all(ports.map(portFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range for a dev cluster');
}

/**
 * Starts `count` nodes, a stanchion and an S3 front end. `beforeStart` runs once the
 * cluster's directory exists and before any process starts (to mount a node's data dir).
 */
export async function startDevCluster(
  count: number,
  extraEnv: Record<string, string> = {},
  beforeStart?: (dir: string) => Promise<void>,
): Promise<DevCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-dev-'));
  await beforeStart?.(dir);
  const basePort = await freeBasePort();
  const env = {
    ...process.env,
    ...extraEnv,
    CAIRN_DEV_DIR: dir,
    CAIRN_DEV_BASE_PORT: String(basePort),
  };
  const script = async (...args: string[]) => {
    try {
      return (await run('bash', [SCRIPT, ...args], { env, timeout: 120_000 })).stdout;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new Error(`dev-cluster.sh ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
    }
  };
  const cluster: DevCluster = {
    dir,
    basePort,
    endpoint: '',
    keyId: '',
    secret: '',
    cookie: '',
    startOutput: '',
    script,
    admin: (...args) => script('admin', ...args),
    settled: (timeoutMs) => untilSettled(cluster, timeoutMs),
    async cleanup() {
      await script('stop').catch(() => undefined);
      await killLeftovers(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
  const out = await script('start', String(count)).catch(async (error: unknown) => {
    await cluster.cleanup();
    throw error;
  });
  cluster.startOutput = out;
  cluster.endpoint = /^S3_ENDPOINT=(\S+)$/m.exec(out)![1]!;
  cluster.keyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(out)![1]!;
  cluster.secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(out)![1]!;
  cluster.cookie = (await readFile(join(dir, 'cookie'), 'utf8')).trim();
  return cluster;
}

async function killLeftovers(dir: string): Promise<void> {
  const pids = await readdir(join(dir, 'pids')).catch(() => [] as string[]);
  for (const file of pids) {
    const pid = Number(await readFile(join(dir, 'pids', file), 'utf8').catch(() => 'x'));
    if (Number.isInteger(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
