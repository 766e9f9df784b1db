/**
 * riak-cs-admin's commands under cairn-admin against a real `cairn start` (GC every 1 s,
 * leeway 1 s): gc pause/resume really hold and release the embedded collector, set-interval
 * and set-leeway show in gc status, gc batch with a leeway collects what is not yet due;
 * storage batch recounts and samples; access flush archives at once; stanchion show and
 * switch on the embedded store; cluster-info writes a redacted bundle once; and
 * cleanup-orphan-multipart aborts what deleted buckets left, never a live bucket's upload.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import type { S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: CairnProcess;
let s3: S3Client;
useCairn(
  { args: ['--gc-interval', '1', '--gc-leeway', '1'], buckets: ['ops'] },
  (started) => ({ server, s3 } = started),
);
let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'cairn-ops-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs cairn-admin against the server; resolves with exit code and output. */
async function admin(...args: string[]) {
  const env = { ...process.env, CAIRN_URL: server.url };
  try {
    const out = await run(process.execPath, [ADMIN_JS, '--data-dir', server.dataDir, ...args], {
      env,
      timeout: 30_000,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function gcJson(): Promise<{ due: number; pending: number; batch?: { running: boolean } }> {
  return JSON.parse((await admin('gc', 'status', '--json')).stdout);
}

/** Polls `check` every 250 ms until it holds, for at most `ms`. */
async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${ms} ms`);
    await sleep(250);
  }
}

async function overwriteAndDelete(key: string) {
  // Past object.inline_max (8 KiB): the object has a block, so its delete queues GC work.
  await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: key, Body: 'x'.repeat(20_000) }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'ops', Key: key }));
}

describe('cairn-admin gc', () => {
  it('pause holds the collector (a due entry stays), resume releases it', async () => {
    expect((await admin('gc', 'pause')).stdout).toBe('The garbage collection daemon was paused.\n');
    expect((await admin('gc', 'pause')).stdout).toContain('was already paused');
    await overwriteAndDelete('held');
    await sleep(3500); // the leeway and three collector intervals
    expect((await gcJson()).due).toBeGreaterThanOrEqual(1);
    const batch = await admin('gc', 'batch');
    expect(batch).toMatchObject({ code: 1, stdout: expect.stringContaining('is paused') });
    expect((await admin('gc', 'status')).stdout).toContain('  Paused: yes');
    expect((await admin('gc', 'resume')).stdout).toBe(
      'The garbage collection daemon was resumed.\n',
    );
    await until(async () => (await gcJson()).due === 0);
  });

  it('set-interval, set-leeway show; a batch with a leeway takes pending entries', async () => {
    expect((await admin('gc', 'set-leeway', '1h')).stdout).toContain('leeway time was updated');
    expect((await admin('gc', 'set-interval', 'infinity')).stdout).toContain(
      'interval was updated',
    );
    const status = (await admin('gc', 'status')).stdout;
    expect(status).toContain('  The current garbage collection interval is: infinity (i.e. gc is');
    expect(status).toContain('  The current garbage collection leeway time is: 3600\n');
    await overwriteAndDelete('pending');
    expect((await gcJson()).pending).toBeGreaterThanOrEqual(1);
    expect((await admin('gc', 'batch', '0')).stdout).toBe('Garbage collection batch started.\n');
    await until(async () => {
      const now = await gcJson();
      return now.batch?.running === false && now.pending === 0;
    });
    const bad = await admin('gc', 'set-interval', 'soon');
    expect(bad).toMatchObject({ code: 1, stdout: 'Error: Invalid interval specified.\n' });
    expect((await admin('gc', 'cancel')).code).toBe(1);
    await admin('gc', 'set-interval', 'default');
    await admin('gc', 'set-leeway', 'default');
    expect((await admin('gc', 'status')).stdout).toContain('leeway time is: 1\n');
  });
});

describe('cairn-admin storage and access', () => {
  it('storage batch recounts every bucket and archives a sample of every user', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'kept', Body: 'y'.repeat(2048) }));
    expect((await admin('storage', 'batch')).stdout).toBe('Batch storage calculation started.\n');
    await until(async () => {
      const status = (await admin('storage', 'status')).stdout;
      return status.startsWith('There is no storage') && !status.includes('at: unknown/never');
    });
    const usage = await signedFetch(server.url, `/riak-cs/usage/${server.keyId}/bj`, {
      credentials: server,
    });
    const samples = (await usage.json()).Storage.Samples as Array<Record<string, unknown>>;
    expect(samples.at(-1)!['ops']).toEqual({ Objects: 1, Bytes: 2048 });
    expect((await admin('storage', 'pause')).stdout).toBe('No storage calculation was running.\n');
    expect((await admin('storage')).stdout).toMatch(/^KEY ID\s+BUCKET/);
  });

  it('access flush archives the access statistics now (the period is a minute)', async () => {
    const read = async () => {
      const res = await signedFetch(server.url, `/riak-cs/usage/${server.keyId}/aj`, {
        credentials: server,
      });
      return JSON.parse(await res.text()).Access.Nodes as unknown[];
    };
    await admin('access', 'flush'); // whatever earlier tests did is archived now
    await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'counted', Body: 'z' }));
    const before = JSON.stringify(await read());
    const flushed = await admin('access', 'flush');
    expect(flushed.stdout).toMatch(/^Adding current log to archive queue...\n/);
    expect(flushed.stdout).toContain('All access logs were flushed.');
    expect(JSON.stringify(await read())).not.toBe(before);
  });
});

describe('cairn-admin stanchion, cluster-info, cleanup-orphan-multipart', () => {
  it('stanchion show says in-process; switch is refused on the embedded store', async () => {
    expect((await admin('stanchion', 'show')).stdout).toBe(
      'Current Stanchion Address: in-process\n',
    );
    const switched = await admin('stanchion', 'switch', '127.0.0.1', '8085');
    expect(switched.code).toBe(1);
    expect(switched.stderr).toContain('in-process');
  });

  it('audit-bucket-ownership finds every bucket where its owner lists it', async () => {
    const audit = await admin('audit-bucket-ownership');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(
      /^No Inconsistencies found.\n\(\d+ users and [1-9]\d* buckets checked\)\n$/,
    );
  });

  it("status prints the front end's statistics, name : value", async () => {
    const status = await admin('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /^cairn_s3_requests_total\{operation="PutObject",status="200"\} : \d+$/m,
    );
  });

  it('cluster-info writes a bundle once, with no secret in it', async () => {
    const file = join(dir, 'info.txt');
    const written = await admin('cluster-info', file, '--log', join(dir, 'no-such.log'));
    expect(written).toMatchObject({ code: 0, stdout: `Cluster info written to ${file}\n` });
    const text = await readFile(file, 'utf8');
    for (const section of ['Front end', 'Settings', 'Ring', 'Stanchion', 'Garbage collection']) {
      expect(text).toContain(` ${section}`);
    }
    expect(text).toContain('node1@127.0.0.1');
    expect(text).toContain('gc.interval = 1s  # flag');
    expect(text).toContain('(not readable: ENOENT');
    expect(text).not.toContain(server.secret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await admin('cluster-info', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('it exists');
  });

  it('cleanup-orphan-multipart aborts uploads of deleted buckets, keeps live ones', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'gone' }));
    for (const key of ['a', 'b']) {
      await s3.send(new CreateMultipartUploadCommand({ Bucket: 'gone', Key: key }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: 'gone' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ops', Key: 'live' }));
    const old = await admin('cleanup-orphan-multipart', '2014-07-30T11:09:30.000Z');
    expect(old.stdout).toContain('checking bucket gone (');
    expect(old.stdout).toContain('aborted 0 uploads, kept 2 newer than the timestamp.');
    const cleaned = await admin('cleanup-orphan-multipart');
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(/^cleaning up with timestamp \d{4}-\d\d-\d\dT/);
    expect(cleaned.stdout).toContain(': aborted 2 uploads.');
    expect(cleaned.stdout).toContain(
      'All old unaborted orphan multipart uploads have been deleted',
    );
    const live = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'ops' }));
    expect(live.Uploads?.map((u) => u.Key)).toEqual(['live']);
    const bad = await admin('cleanup-orphan-multipart', 'last-week');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('timestamp must be ISO 8601');
  });
});
