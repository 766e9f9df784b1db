/**
 * Garbage collection against a real `cairn start` with a 2 s leeway:
 * - safety: under concurrent overwrites, deletes and reads, no reader ever misses a block of
 *   the version it was given, and every body matches its ETag; after the workload stops and
 *   a GC pass runs, the blob files hold the live data within 5% (LevelDB's own files are
 *   reported separately);
 * - orphans: a PUT cut off by kill -9 leaves blocks with nothing queued to collect them; the
 *   orphan sweeper removes them after the leeway, and live objects stay intact.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';

import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { dirBytes } from '../helpers/disk.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const BLOCK_BYTES = 256 * 1024;
const GC_ARGS = ['--gc-leeway', '2', '--gc-interval', '1', '--block-size', String(BLOCK_BYTES)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: CairnProcess[] = [];

afterAll(async () => {
  const errors = started.flatMap((s) => s.errorLogs());
  for (const server of started) await server.cleanup();
  expect(errors).toEqual([]);
});

function body(seed: number, blocks: number): Buffer {
  const out = Buffer.alloc(blocks * BLOCK_BYTES);
  for (let i = 0; i < out.length; i += 32)
    createHash('sha256').update(`${seed}:${i}`).digest().copy(out, i);
  return out;
}

async function liveBytes(s3: S3Client, bucket: string): Promise<number> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
}

async function gcRun(server: CairnProcess) {
  const res = await signedFetch(server.url, '/riak-cs/gc', { method: 'POST', credentials: server });
  expect(res.status).toBe(200);
  return (await res.json()) as { collected: number; sweep?: { blocksRemoved: number } };
}

async function createBucket(server: CairnProcess, name: string) {
  const res = await signedFetch(server.url, `/${name}`, { method: 'PUT', credentials: server });
  expect(res.status).toBe(200);
}

describe('gc: safety under overwrites, deletes and reads (leeway 2 s)', () => {
  it('never loses a block a reader was given, and shrinks to the live data', async () => {
    const server = await startCairn({ args: GC_ARGS });
    started.push(server);
    await createBucket(server, 'churn');
    const s3 = s3Client(server);
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const deadline = Date.now() + 12_000;
    const problems: string[] = [];
    let reads = 0;
    let writes = 0;
    const writer = async (id: number) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const key = keys[(id + n) % keys.length]!;
        if (n % 7 === 6) await s3.send(new DeleteObjectCommand({ Bucket: 'churn', Key: key }));
        else {
          const data = body(id * 1000 + n, 1 + ((id + n) % 5));
          await s3.send(new PutObjectCommand({ Bucket: 'churn', Key: key, Body: data }));
        }
        writes++;
      }
    };
    const reader = async (id: number) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const key = keys[(id + n) % keys.length]!;
        try {
          const got = await s3.send(new GetObjectCommand({ Bucket: 'churn', Key: key }));
          const bytes = Buffer.from(await got.Body!.transformToByteArray());
          const md5 = createHash('md5').update(bytes).digest('hex');
          if (`"${md5}"` !== got.ETag) problems.push(`${key}: body does not match ${got.ETag}`);
          reads++;
          // A slow reader: dawdles past the leeway on some reads, as real clients do.
          if (n % 10 === 9) await sleep(2500);
        } catch (error) {
          if (error instanceof S3ServiceException && error.name === 'NoSuchKey') continue;
          problems.push(`${key}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all([0, 1, 2].map(writer).concat([0, 1, 2, 3].map(reader)));
    expect(problems).toEqual([]);
    await sleep(2500);
    const result = await gcRun(server);
    const live = await liveBytes(s3, 'churn');
    const blobs = await dirBytes(join(server.dataDir, 'node', 'blobs'));
    const leveldb = (await dirBytes(join(server.dataDir, 'node'))) - blobs;
    process.stdout.write(
      `gc safety: ${writes} writes, ${reads} reads; collected ${result.collected} entries; ` +
        `live ${live} B, blob files ${blobs} B (${((blobs / live - 1) * 100).toFixed(2)}% over), ` +
        `LevelDB ${leveldb} B\n`,
    );
    for (const key of keys) {
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'churn', Key: key }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        const md5 = createHash('md5').update(bytes).digest('hex');
        if (`"${md5}"` !== got.ETag) problems.push(`after gc ${key}: body mismatch`);
      } catch (error) {
        if (!(error instanceof S3ServiceException && error.name === 'NoSuchKey')) {
          problems.push(`after gc ${key}: ${(error as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(20);
    expect(blobs).toBeGreaterThanOrEqual(live);
    expect(blobs).toBeLessThanOrEqual(live * 1.05);
    s3.destroy();
  }, 120_000);
});

describe('gc: the orphan sweeper (leeway 2 s)', () => {
  it('removes the blocks of a PUT cut off by kill -9, and nothing live', async () => {
    const first = await startCairn({ args: GC_ARGS });
    await createBucket(first, 'orphans');
    const kept = body(7, 3);
    const s3 = s3Client(first);
    await s3.send(new PutObjectCommand({ Bucket: 'orphans', Key: 'kept', Body: kept }));
    s3.destroy();
    await trickleThenKill(first, 'orphans', 'cut-off', 12 * BLOCK_BYTES, kept.length);
    const second = await startCairn({ dataDir: first.dataDir, args: GC_ARGS });
    started.push(second);
    const blobsBefore = await dirBytes(join(second.dataDir, 'node', 'blobs'));
    expect(blobsBefore).toBeGreaterThan(kept.length + 4 * BLOCK_BYTES);
    await sleep(2500);
    const result = await gcRun(second);
    const blobsAfter = await dirBytes(join(second.dataDir, 'node', 'blobs'));
    process.stdout.write(
      `orphan sweep: removed ${result.sweep?.blocksRemoved} blocks; ` +
        `blob files ${blobsBefore} B → ${blobsAfter} B (live ${kept.length} B)\n`,
    );
    const orphans = (blobsBefore - kept.length) / BLOCK_BYTES;
    expect(orphans).toBeGreaterThanOrEqual(4);
    expect(result.sweep!.blocksRemoved).toBe(orphans);
    expect(blobsAfter).toBe(kept.length);
    const again = s3Client(second);
    const got = await again.send(new GetObjectCommand({ Bucket: 'orphans', Key: 'kept' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(kept)).toBe(true);
    again.destroy();
  }, 120_000);
});

/** Starts an unsigned-payload PUT, sends 3/4 of its body, then kills the server. */
async function trickleThenKill(
  server: CairnProcess,
  bucket: string,
  key: string,
  size: number,
  liveBytes: number,
) {
  const url = new URL(`/${bucket}/${key}`, server.url);
  const { signV4 } = await import('../../src/auth/sigv4-client.js');
  const headers: Record<string, string> = {
    host: url.host,
    'content-length': String(size),
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  };
  const signed = signV4(
    { method: 'PUT', url, headers, payloadSha256Hex: 'UNSIGNED-PAYLOAD' },
    { accessKeyId: server.keyId, secretAccessKey: server.secret },
    'us-east-1',
    Date.now(),
  );
  const req = request(url, { method: 'PUT', headers: { ...headers, ...signed } });
  req.on('error', () => undefined);
  req.write(body(99, Math.floor((size * 0.75) / BLOCK_BYTES)));
  const blobs = join(server.dataDir, 'node', 'blobs');
  // Kill once at least half the body is on disk as blocks, the rest still to come.
  const enough = liveBytes + size / 2;
  for (let i = 0; i < 600 && (await dirBytes(blobs)) < enough; i++) await sleep(100);
  await server.cleanup({ keepData: true });
  req.destroy();
}
