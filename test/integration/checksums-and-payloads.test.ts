/**
 * Every payload mode the SDKs send, through a real process: flexible checksums as headers
 * and as aws-chunked trailers (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), returned with
 * x-amz-checksum-mode, and STREAMING-AWS4-HMAC-SHA256-PAYLOAD with every chunk signed.
 */
import {
  ChecksumAlgorithm,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedChunkedPut } from '../helpers/signed-chunked.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['sums'] }, (started) => ({ server, s3 } = started));

const ALGORITHMS = [
  ChecksumAlgorithm.CRC32,
  ChecksumAlgorithm.CRC32C,
  ChecksumAlgorithm.CRC64NVME,
  ChecksumAlgorithm.SHA1,
  ChecksumAlgorithm.SHA256,
];
const body = Buffer.from('x'.repeat(200_000) + 'checksummed tail');

describe.each(ALGORITHMS)('flexible checksum %s', (algorithm) => {
  it('is verified as a header and returned with x-amz-checksum-mode', async () => {
    const key = `header-${algorithm}`;
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'sums',
        Key: key,
        Body: body,
        ChecksumAlgorithm: algorithm,
      }),
    );
    const field = `Checksum${algorithm}` as const;
    expect(put[field]).toBeTruthy();
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'sums', Key: key, ChecksumMode: 'ENABLED' }),
    );
    expect(got[field]).toBe(put[field]);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('is verified as an aws-chunked trailer on a streamed body', async () => {
    const key = `trailer-${algorithm}`;
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'sums',
        Key: key,
        Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]),
        ContentLength: body.length,
        ChecksumAlgorithm: algorithm,
      }),
    );
    expect(put[`Checksum${algorithm}`]).toBeTruthy();
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'sums', Key: key, ChecksumMode: 'ENABLED' }),
    );
    expect(got[`Checksum${algorithm}`]).toBe(put[`Checksum${algorithm}`]);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });
});

describe('checksum mismatch', () => {
  it('refuses a wrong x-amz-checksum header with BadDigest and stores nothing', async () => {
    const wrong = createHash('sha256').update('other').digest('base64');
    const put = s3.send(
      new PutObjectCommand({
        Bucket: 'sums',
        Key: 'wrong-sum',
        Body: body,
        ChecksumSHA256: wrong,
      }),
    );
    await expect(put).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'sums', Key: 'wrong-sum' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', () => {
  it('stores a body whose every chunk signature verifies', async () => {
    const data = Buffer.alloc(150_000, 5);
    const res = await signedChunkedPut(server, '/sums/signed-chunks', data, { chunkBytes: 65_536 });
    expect(res.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sums', Key: 'signed-chunks' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('refuses a body with one tampered chunk and keeps the old object', async () => {
    const data = Buffer.alloc(150_000, 6);
    const res = await signedChunkedPut(server, '/sums/signed-chunks', data, {
      chunkBytes: 65_536,
      tamperChunk: 1,
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sums', Key: 'signed-chunks' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())[0]).toBe(5);
  });
});
