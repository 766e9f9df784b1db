/**
 * Starts the servers a run measures, each in its own process so its CPU, memory and disk
 * writes can be read from /proc by PID: the embedded Cairn store, the no-op ceiling server
 * and the s3rver peer. Each gets a fresh temp data dir and a free loopback port.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Role } from '../core/results.js';
import type { S3Target } from '../load/signed-client.js';
import type { ProcessGroup } from './process-group.js';

/** A server under measurement. */
export interface BenchServer {
  role: Role;
  /** Human name: `cairn`, `s3rver`, `no-op`. */
  label: string;
  target: S3Target;
  /** Known only for servers whose /proc can be read. */
  pid?: number;
  /** True when objects survive (false for the no-op server). */
  stores: boolean;
}

const DIST = resolve(import.meta.dirname, '../..');
const CAIRN_MAIN_JS = resolve(DIST, 'src/main.js');
const NOOP_JS = resolve(DIST, 'bench/servers/noop-server.js');
const READY_TIMEOUT_MS = 30_000;

/**
 * glibc's settings that `npm start`, scripts/dev-cluster.sh and the Dockerfile run Cairn
 * with (README, Memory): the bench measures the store as it is shipped. Without them glibc
 * keeps freed Buffer memory in up to 8 arenas per core. The caller's environment wins.
 */
export const CAIRN_MALLOC_ENV = {
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
} as const;

/** Starts `cairn start` on a free port with a temp data dir. */
export async function startCairnServer(
  group: ProcessGroup,
  options: { region: string; cpuProfDir?: string; extraArgs?: string[] },
): Promise<BenchServer> {
  const dataDir = await group.tempDir('cairn-bench-');
  const profile = options.cpuProfDir
    ? ['--cpu-prof', '--cpu-prof-dir', resolve(options.cpuProfDir)]
    : [];
  const child = await group.spawnServer({
    name: 'cairn',
    command: process.execPath,
    args: [
      ...profile,
      CAIRN_MAIN_JS,
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--region',
      options.region,
      ...(options.extraArgs ?? []),
    ],
    env: { ...CAIRN_MALLOC_ENV },
    readyPattern:
      /^S3 endpoint: (\S+)$[\s\S]*^AWS_ACCESS_KEY_ID=(\S+)$[\s\S]*^AWS_SECRET_ACCESS_KEY=(\S+)$/m,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const [, url, accessKeyId, secretAccessKey] = child.ready;
  return {
    role: 'cairn',
    label: 'cairn',
    target: {
      url: url!,
      accessKeyId: accessKeyId!,
      secretAccessKey: secretAccessKey!,
      region: options.region,
    },
    pid: child.pid,
    stores: true,
  };
}

/** Starts s3rver (the npm fake S3 server) on a free port with a temp directory. */
export async function startS3rverServer(group: ProcessGroup, region: string): Promise<BenchServer> {
  const dataDir = await group.tempDir('s3rver-bench-');
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = await group.spawnServer({
    name: 's3rver',
    command: process.execPath,
    args: [bin, '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--silent'],
    readyPattern: /S3rver listening on ([\d.]+):(\d+)/,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const [, host, port] = child.ready;
  return {
    role: 'peer',
    label: 's3rver',
    // s3rver's one built-in account.
    target: {
      url: `http://${host}:${port}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      region,
    },
    pid: child.pid,
    stores: true,
  };
}

/** Starts the no-op ceiling server. */
export async function startNoopServer(group: ProcessGroup, region: string): Promise<BenchServer> {
  const child = await group.spawnServer({
    name: 'no-op',
    command: process.execPath,
    args: [NOOP_JS],
    readyPattern: /noop listening on (\S+)/,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  return {
    role: 'ceiling',
    label: 'no-op',
    target: { url: child.ready[1]!, accessKeyId: 'noop', secretAccessKey: 'noop', region },
    pid: child.pid,
    stores: false,
  };
}
