/**
 * What the SSE-S3 key tests share: a `cairn start` with a `--kms-key-file`, stopped and
 * started again on one data dir as its key file changes, and `cairn-admin` run against it.
 * Every process and directory is cleaned up after the file's tests.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { ADMIN_JS, startCairn, type CairnProcess } from './cairn-process.js';
import { s3Client } from './s3-client.js';

const run = promisify(execFile);

/** A running store and its client. */
export interface KmsStore {
  server: CairnProcess;
  s3: S3Client;
}

/** Starts and stops stores with key files; registers the file's cleanup (call at top level). */
export function useKmsStores() {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return {
    /** A fresh key dir (its key file's path) and data dir, removed after the tests. */
    async dirs(prefix: string): Promise<{ keyFile: string; dataDir: string }> {
      const keyDir = await mkdtemp(join(tmpdir(), prefix));
      const dataDir = await mkdtemp(join(tmpdir(), 'cairn-test-'));
      cleanups.push(() => rm(keyDir, { recursive: true, force: true }));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      return { keyFile: join(keyDir, 'kms.key'), dataDir };
    },
    async start(dataDir: string, keyFile: string): Promise<KmsStore> {
      const server = await startCairn({ dataDir, args: ['--kms-key-file', keyFile] });
      cleanups.push(() => server.cleanup({ keepData: true }));
      return { server, s3: s3Client(server) };
    },
    async stop(started: KmsStore): Promise<void> {
      started.s3.destroy();
      await started.server.stop();
    },
    /** `cairn-admin ARGS` against the store. */
    admin(started: KmsStore, args: string[]) {
      return run(process.execPath, [ADMIN_JS, ...args], {
        env: { ...process.env, CAIRN_URL: started.server.url },
        timeout: 30_000,
      });
    },
  };
}
