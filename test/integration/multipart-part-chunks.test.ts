/**
 * A multipart object of 2,500 tiny parts (three chunk records of its part list) through a
 * real `cairn start` (--enforce-multipart-part-size off): a ranged GET of one part and
 * ?partNumber=N each read one chunk record (cairn_manifest_part_chunk_reads_total), HEAD
 * none, a whole GET is byte-exact, GetObjectAttributes pages the parts; deleting one such
 * object and overwriting another leaves no chunk record and no part block once GC has run
 * (the orphan sweep's scan counts what is left on the ring). 2,500 rather than 10,000 parts
 * to keep the upload short on a loaded machine; multipart-10000-parts.test.ts reads a
 * 10,000-part object whole and by part.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { bodyOf, md5 } from '../helpers/multipart-client.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const BUCKET = 'chunked';
const LEEWAY_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Uploads parts `<key:i>` for i < count and completes them; returns the parts. */
async function uploadMany(client: S3Client, key: string, count: number): Promise<Buffer[]> {
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const uploadId = created.UploadId!;
  const parts = Array.from({ length: count }, (_, i) => Buffer.from(`<${key}:${i}>`));
  const done: Array<{ PartNumber: number; ETag: string }> = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const Body = parts[i]!;
      const input = { Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: i + 1, Body };
      done[i] = {
        PartNumber: i + 1,
        ETag: (await client.send(new UploadPartCommand(input))).ETag!,
      };
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: done },
    }),
  );
  return parts;
}

describe('multipart part lists in chunk records', () => {
  let server: CairnProcess;
  let client: S3Client;

  /** The front end's count of chunk records read so far. */
  async function chunkReads(): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const match = /^cairn_manifest_part_chunk_reads_total (\d+)$/m.exec(text);
    expect(match).not.toBeNull();
    return Number(match![1]);
  }

  /** Runs GC now; the sweep's scan counts the chunk records and blocks left on the ring. */
  async function gcRun() {
    const res = await signedFetch(server.url, '/riak-cs/gc', {
      method: 'POST',
      credentials: server,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      collected: number;
      sweep: { blocksScanned: number; partChunksScanned: number; partChunksRemoved: number };
    };
  }

  beforeAll(async () => {
    const args = ['--durability', 'none', '--enforce-multipart-part-size', 'off'];
    args.push('--gc-leeway', String(LEEWAY_S), '--gc-interval', '3600');
    server = await startCairn({ args });
    client = s3Client(server);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    const errors = server?.errorLogs() ?? [];
    await server?.cleanup();
    expect(errors).toEqual([]);
  });

  it('reads one chunk per part, none per HEAD; collects parts and chunks when dead', async () => {
    const [many, other] = await Promise.all([
      uploadMany(client, 'many', 2500),
      uploadMany(client, 'other', 1001),
    ]);
    const whole = Buffer.concat(many);
    const offsetOf = (i: number) => many.slice(0, i).reduce((sum, p) => sum + p.length, 0);
    let before = await chunkReads();
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'many' }));
    expect(head.ContentLength).toBe(whole.length);
    expect(await chunkReads()).toBe(before);

    const start = offsetOf(1700);
    const Range = `bytes=${start}-${start + many[1700]!.length - 1}`;
    const ranged = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'many', Range }));
    expect((await bodyOf(ranged)).toString()).toBe('<many:1700>');
    expect(await chunkReads()).toBe(before + 1);

    const part = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'many', PartNumber: 2400 }),
    );
    expect((await bodyOf(part)).toString()).toBe('<many:2399>');
    expect(part.PartsCount).toBe(2500);
    expect(part.ContentRange).toBe(`bytes ${offsetOf(2399)}-${offsetOf(2400) - 1}/${whole.length}`);
    expect(await chunkReads()).toBe(before + 2);

    before = await chunkReads();
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'many' }));
    expect(md5(await bodyOf(got))).toBe(md5(whole));
    expect(await chunkReads()).toBe(before + 3);
    const attributes = await client.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: 'many',
        ObjectAttributes: ['ObjectParts'],
        MaxParts: 2,
        PartNumberMarker: '1998',
      }),
    );
    expect(attributes.ObjectParts?.TotalPartsCount).toBe(2500);
    expect(attributes.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1999, many[1998]!.length],
      [2000, many[1999]!.length],
    ]);
    const otherGot = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'other' }));
    expect(md5(await bodyOf(otherGot))).toBe(md5(Buffer.concat(other)));

    await sleep(LEEWAY_S * 1000 + 200);
    const live = await gcRun();
    expect(live.sweep.partChunksScanned).toBe(3 + 2);
    expect(live.sweep.partChunksRemoved).toBe(0);
    expect(live.sweep.blocksScanned).toBe(2500 + 1001);

    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'other' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many', Body: 'small' }));
    await sleep(LEEWAY_S * 1000 + 200);
    const dead = await gcRun();
    expect(dead.collected).toBeGreaterThan(0);
    expect(dead.sweep.partChunksScanned).toBe(0);
    expect(dead.sweep.partChunksRemoved).toBe(0);
    expect(dead.sweep.blocksScanned).toBe(0);
    const small = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'many' }));
    expect((await bodyOf(small)).toString()).toBe('small');
  }, 240_000);
});
