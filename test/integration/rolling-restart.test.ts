/**
 * A rolling restart under load (issue 22): a dev cluster of five nodes, two stanchions and
 * an S3 front end (scripts/dev-cluster.sh), a continuous boto3 workload (Debian's python3,
 * the SDK's default retries: users and buckets created, objects PUT, read, listed, deleted;
 * test/compat/boto3_rolling_workload.py) while scripts/rolling-restart.sh restarts every
 * node and both stanchions one at a time. No request may fail, every acknowledged object
 * must read back with its bytes, and no acknowledged delete may come back.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
let cluster: DevCluster;

interface Report {
  rounds: number;
  counts: Record<string, number>;
  retries: Record<string, number>;
  errors: unknown[];
  acked: number;
  lost: unknown[];
  resurrected: string[];
  users: number;
  buckets: number;
}

/** Starts the workload; resolves with its report once `stopFile` exists and it verified. */
function workload(stopFile: string): Promise<Report> {
  const child = spawn('/usr/bin/python3', [`${ROOT}/test/compat/boto3_rolling_workload.py`], {
    env: {
      ...process.env,
      CAIRN_URL: cluster.endpoint,
      CAIRN_STOP_FILE: stopFile,
      AWS_ACCESS_KEY_ID: cluster.keyId,
      AWS_SECRET_ACCESS_KEY: cluster.secret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
  return new Promise((res, rej) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) return rej(new Error(`workload exited ${code}:\n${err.slice(-3000)}`));
      res(JSON.parse(out) as Report);
    });
  });
}

describe('rolling restart under a boto3 workload (5 nodes, 2 stanchions)', () => {
  beforeAll(async () => {
    cluster = await startDevCluster(5);
    await cluster.script('join');
  }, 300_000);
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it(
    'restarts every node and stanchion one at a time: no failed request, nothing lost',
    async () => {
      const stopFile = join(cluster.dir, 'stop-workload');
      const report = workload(stopFile);
      let restart: string;
      try {
        const out = await run('bash', [`${ROOT}/scripts/rolling-restart.sh`], {
          env: {
            ...process.env,
            CAIRN_DEV_DIR: cluster.dir,
            CAIRN_DEV_BASE_PORT: String(cluster.basePort),
          },
          timeout: 15 * 60_000,
        });
        restart = out.stdout;
      } finally {
        await writeFile(stopFile, '');
      }
      const result = await report;
      const { errors, lost, ...figures } = result;
      // What the run did, and how often the SDK had to retry (a 5xx or a dropped connection).
      console.log(`rolling restart workload: ${JSON.stringify(figures)}`);
      for (const name of ['dev1', 'dev2', 'dev3', 'dev4', 'dev5', 'stanchion1', 'stanchion2']) {
        expect(restart).toMatch(new RegExp(`^stopped ${name} \\(pid \\d+, SIGTERM\\)$`, 'm'));
        expect(restart).toMatch(new RegExp(`^settled: ${name}$`, 'm'));
      }
      expect(errors).toEqual([]);
      expect(lost).toEqual([]);
      expect(result.resurrected).toEqual([]);
      // The workload ran throughout: users, buckets and objects made while processes restarted.
      expect(result.users).toBeGreaterThan(1);
      expect(result.counts['put']).toBeGreaterThan(30);
      expect(result.counts['delete']).toBeGreaterThan(5);
      expect(result.acked).toBeGreaterThan(15);
    },
    25 * 60_000,
  );
});
