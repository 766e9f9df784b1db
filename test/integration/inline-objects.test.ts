/**
 * Small objects stored in their manifest (object.inline_max, 8 KiB by default) through a
 * real `cairn start`: every S3 behaviour of an object holds (ETag, checksums, Content-MD5,
 * ranges, conditions, copy, listing sizes, usage), and on disk an inline object has no
 * block, deleting or overwriting it leaves no GC work, overwriting a block object by an
 * inline one still collects the old blocks, and the orphan sweeper removes nothing live.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type ChecksumAlgorithm,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ClassicLevel } from 'classic-level';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseItemKey } from '../../ring/storage/item-key.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const BLOCK_BYTES = 64 * 1024;
const BUCKET = 'inline';
let server: CairnProcess;
let s3: S3Client;
useCairn(
  {
    buckets: [BUCKET],
    args: ['--block-size', String(BLOCK_BYTES), '--gc-leeway', '1', '--gc-interval', '3600'],
    env: { CAIRN_USAGE_FLUSH_SECONDS: '1' },
  },
  (started) => ({ server, s3 } = started),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

function bytes(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

async function put(key: string, body: Buffer, extra: Partial<PutObjectCommand['input']> = {}) {
  return s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }));
}

async function get(key: string, extra: Partial<GetObjectCommand['input']> = {}) {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
  return { got, body: Buffer.from(await got.Body!.transformToByteArray()) };
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return `${error.$metadata.httpStatusCode}`;
    throw error;
  }
  return 'no error';
}

describe('inline objects: S3 behaviour', () => {
  it('inline: a 4 KiB object round-trips with ETag, HEAD, ranges and conditions', async () => {
    const data = bytes(1, 4096);
    const written = await put('small', data, { ContentType: 'text/x-small' });
    expect(written.ETag).toBe(`"${md5(data)}"`);
    const { got, body } = await get('small');
    expect(body.equals(data)).toBe(true);
    expect(got.ContentType).toBe('text/x-small');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'small' }));
    expect(head.ContentLength).toBe(4096);
    expect(head.ETag).toBe(written.ETag);
    const range = await get('small', { Range: 'bytes=100-199' });
    expect(range.body.equals(data.subarray(100, 200))).toBe(true);
    expect(range.got.ContentRange).toBe('bytes 100-199/4096');
    expect((await get('small', { Range: 'bytes=-10' })).body.equals(data.subarray(-10))).toBe(true);
    expect(await errorOf(get('small', { IfNoneMatch: written.ETag }))).toBe('304');
    expect(await errorOf(get('small', { IfMatch: '"0123"' }))).toBe('412');
    expect(await errorOf(get('small', { Range: 'bytes=5000-6000' }))).toBe('416');
    const empty = await put('empty', Buffer.alloc(0));
    expect(empty.ETag).toBe(`"${md5(Buffer.alloc(0))}"`);
    expect((await get('empty')).body.length).toBe(0);
  });

  it('inline: checksums verified and returned; a bad Content-MD5 stores nothing', async () => {
    const algorithms: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];
    for (const [i, algorithm] of algorithms.entries()) {
      const data = bytes(10 + i, 1000 + i);
      const written = await put(`sum-${algorithm}`, data, { ChecksumAlgorithm: algorithm });
      const field = `Checksum${algorithm}` as const;
      expect(written[field]).toBeDefined();
      const { got, body } = await get(`sum-${algorithm}`, { ChecksumMode: 'ENABLED' });
      expect(body.equals(data)).toBe(true);
      expect(got[field]).toBe(written[field]);
    }
    const data = bytes(2, 3000);
    await put('md5', data, { ContentMD5: createHash('md5').update(data).digest('base64') });
    const wrong = createHash('md5').update('other').digest('base64');
    expect(await errorOf(put('md5', bytes(3, 3000), { ContentMD5: wrong }))).toBe('400');
    expect((await get('md5')).body.equals(data)).toBe(true);
  });

  it('inline: a copy of a small object is small, a copy of a large one streams', async () => {
    const small = bytes(4, 5000);
    const large = bytes(5, 2 * BLOCK_BYTES + 100);
    await put('copy-src-small', small);
    await put('copy-src-large', large);
    for (const name of ['small', 'large']) {
      await s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: `copy-${name}`,
          CopySource: `${BUCKET}/copy-src-${name}`,
        }),
      );
    }
    expect((await get('copy-small')).body.equals(small)).toBe(true);
    expect((await get('copy-large')).body.equals(large)).toBe(true);
    const range = await get('copy-large', { Range: `bytes=${BLOCK_BYTES - 5}-${BLOCK_BYTES + 4}` });
    expect(range.body.equals(large.subarray(BLOCK_BYTES - 5, BLOCK_BYTES + 5))).toBe(true);
  });
});

/** An item key's parts; undefined for the node's own records (its epoch, AAE markers). */
function itemOf(key: Buffer) {
  try {
    return parseItemKey(key);
  } catch {
    return undefined;
  }
}

/** Blocks on the node's disk, by version id: opened while the process is stopped. */
async function blocksOnDisk(dataDir: string): Promise<Map<string, number>> {
  const db = new ClassicLevel<Buffer, Buffer>(join(dataDir, 'node', 'leveldb'), {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  const versions = new Map<string, number>();
  try {
    for await (const key of db.keys()) {
      const item = itemOf(key);
      if (item?.keyspace !== 'blocks') continue;
      const name = item.pk.toString('utf8');
      const versionId = name.slice(0, name.lastIndexOf(':'));
      versions.set(versionId, (versions.get(versionId) ?? 0) + 1);
    }
  } finally {
    await db.close();
  }
  return versions;
}

describe('inline objects: storage', () => {
  it('inline: listing sizes and usage storage figures count inline bytes', async () => {
    const sizes = new Map<string, number>([
      ['u/a', 10],
      ['u/b', 8 * 1024],
      ['u/c', 8 * 1024 + 1],
    ]);
    for (const [key, size] of sizes) await put(key, bytes(6, size));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'u/' }));
    expect(new Map((listed.Contents ?? []).map((o) => [o.Key!, o.Size!]))).toEqual(sizes);
    const all = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const total = (all.Contents ?? []).reduce((sum, o) => sum + o.Size!, 0);
    const answer = await signedFetch(server.url, `/riak-cs/storage/${server.keyId}?bucket=inline`, {
      credentials: server,
    });
    expect(answer.status).toBe(200);
    const usage = (await answer.json()) as { Users: Array<{ Objects: number; Bytes: number }> };
    expect(usage.Users[0]).toMatchObject({ Objects: all.KeyCount, Bytes: total });
  });

  it('inline: only block objects leave blocks; an inline overwrite collects them', async () => {
    await put('swap', bytes(7, 3 * BLOCK_BYTES)); // blocks
    await put('swap', bytes(8, 100)); // inline over blocks: the 3 blocks go to GC
    await put('gone', bytes(9, 200));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone' }));
    await put('twice', bytes(10, 300));
    await put('twice', bytes(11, 400)); // inline over inline: nothing to collect
    await sleep(1500); // past the leeway
    const res = await signedFetch(server.url, '/riak-cs/gc', {
      method: 'POST',
      credentials: server,
    });
    expect(res.status).toBe(200);
    const gc = (await res.json()) as { collected: number; sweep?: { blocksRemoved: number } };
    // One entry: the three blocks of the first 'swap'; nothing queued for inline versions.
    expect(gc.collected).toBe(1);
    expect(gc.sweep?.blocksRemoved).toBe(0);
    expect((await get('swap')).body.equals(bytes(8, 100))).toBe(true);
    expect((await get('twice')).body.equals(bytes(11, 400))).toBe(true);
    await server.stop();
    const blocks = await blocksOnDisk(server.dataDir);
    // Left: copy-src-large and copy-large (3 blocks each) and u/c (1 block); nothing else.
    expect([...blocks.values()].sort()).toEqual([1, 3, 3]);
  });
});
