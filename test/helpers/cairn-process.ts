/**
 * Starts a real `cairn start` process (node dist/src/main.js) on a free loopback port with
 * a temporary data dir, waits for its credentials, and kills it by PID when the test file
 * ends — or when the test process exits, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

/** A running cairn process. */
export interface CairnProcess {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  keyId: string;
  secret: string;
  output: () => string;
  /** Log lines at level error or worse: a 500 or a crash the test did not expect. */
  errorLogs: () => string[];
  /** Sends SIGTERM and waits for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Kills with SIGKILL and removes the data dir (unless keepData). */
  cleanup(options?: { keepData?: boolean }): Promise<void>;
  /** VmRSS and VmHWM of the process, in KiB. */
  memoryKb(): Promise<{ rssKb: number; hwmKb: number }>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const MAIN_JS = resolve(import.meta.dirname, '../../dist/src/main.js');
export const ADMIN_JS = resolve(import.meta.dirname, '../../dist/src/cli/cairn-admin.js');

/** Options of startCairn. */
export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

/**
 * The glibc settings `npm start`, scripts/dev-cluster.sh, the Dockerfile and the systemd units
 * run the store with (README, Memory), so tests see its memory as it runs; the caller's
 * environment wins.
 */
const SHIPPED_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/** Starts cairn and resolves once it printed its endpoint and admin keys. */
export async function startCairn(options: StartOptions = {}): Promise<CairnProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cairn-test-')));
  const child = spawn(
    process.execPath,
    [MAIN_JS, 'start', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    {
      env: { ...SHIPPED_MALLOC_ENV, ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      live.delete(child);
      res(code);
    }),
  );
  const ready = await waitForReady(() => output, exited, options.startTimeoutMs ?? 20_000);
  const port = Number(new URL(ready.url).port);
  return {
    ...ready,
    port,
    pid: child.pid!,
    dataDir,
    output: () => output,
    errorLogs: () => output.split('\n').filter((line) => /"level":(50|60)/.test(line)),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async cleanup(cleanupOptions = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      if (!cleanupOptions.keepData) await rm(dataDir, { recursive: true, force: true });
    },
    async memoryKb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]);
      return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
    },
  };
}

async function waitForReady(
  output: () => string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<{ url: string; keyId: string; secret: string }> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  while (Date.now() < deadline) {
    const text = output();
    const url = /^S3 endpoint: (\S+)$/m.exec(text)?.[1];
    const keyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(text)?.[1];
    const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(text)?.[1];
    if (url && keyId && secret) return { url, keyId, secret };
    if (exitCode !== undefined)
      throw new Error(`cairn exited (${exitCode}) before ready:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cairn not ready after ${timeoutMs} ms:\n${output()}`);
}

/** What useCairn hands a test file once its server is up. */
export interface StartedCairn {
  server: CairnProcess;
  s3: import('@aws-sdk/client-s3').S3Client;
}

/**
 * Starts one cairn for the calling test file (beforeAll), with an SDK client and the given
 * buckets, and registers its own teardown (afterAll): the client is destroyed, the process
 * killed, its data dir removed, and the file fails if the server logged any error.
 */
export function useCairn(
  options: StartOptions & { buckets?: string[] },
  onStart: (started: StartedCairn) => void,
): void {
  let started: StartedCairn | undefined;
  beforeAll(async () => {
    const { s3Client } = await import('./s3-client.js');
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const server = await startCairn(options);
    started = { server, s3: s3Client(server) };
    for (const bucket of options.buckets ?? []) {
      await started.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    onStart(started);
  });
  afterAll(async () => {
    started?.s3.destroy();
    const errors = started?.server.errorLogs() ?? [];
    await started?.server.cleanup();
    expect(errors).toEqual([]);
  });
}
