/**
 * UploadPartCopy (whole sources and x-amz-copy-source-range slices) and composite CRC32
 * checksums (verified parts, the composite on Complete, HEAD and GET, a part's own
 * checksum on GET ?partNumber) against a real `cairn start` process.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useCairn } from '../helpers/cairn-process.js';
import { bodyOf, md5, multipartCalls, s3ErrorOf } from '../helpers/multipart-client.js';

let s3: S3Client;
const BUCKET = 'multipart';

useCairn({ buckets: [BUCKET, 'mp-source'] }, (started) => ({ s3 } = started));

const MiB = 1024 * 1024;
const { create, complete } = multipartCalls(() => s3, BUCKET);

describe('UploadPartCopy', () => {
  it('copies whole objects and x-amz-copy-source-range slices into parts', async () => {
    const source = randomBytes(6 * MiB + 7);
    await s3.send(new PutObjectCommand({ Bucket: 'mp-source', Key: 'src object', Body: source }));
    const uploadId = await create('copied');
    const copy = (partNumber: number, range?: string) =>
      s3.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'copied',
          UploadId: uploadId,
          PartNumber: partNumber,
          CopySource: `mp-source/${encodeURIComponent('src object')}`,
          ...(range ? { CopySourceRange: range } : {}),
        }),
      );
    const p2 = await copy(2, `bytes=${MiB}-${MiB + 99}`);
    const p1 = await copy(1);
    const parts = [
      { PartNumber: 1, ETag: p1.CopyPartResult!.ETag! },
      { PartNumber: 2, ETag: p2.CopyPartResult!.ETag! },
    ];
    expect(parts[1]!.ETag).toBe(`"${md5(source.subarray(MiB, MiB + 100))}"`);
    expect(await s3ErrorOf(copy(3, `bytes=0-${source.length}`))).toEqual({
      name: 'InvalidRange',
      status: 416,
    });
    expect(await s3ErrorOf(copy(3, 'bytes=9-2'))).toEqual({ name: 'InvalidArgument', status: 400 });
    await complete('copied', uploadId, parts);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copied' }));
    const expected = Buffer.concat([source, source.subarray(MiB, MiB + 100)]);
    expect(md5(await bodyOf(got))).toBe(md5(expected));
  });

  it('answers NoSuchKey for a missing source and keeps the upload', async () => {
    const uploadId = await create('copy-missing');
    const missing = s3.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'copy-missing',
        UploadId: uploadId,
        PartNumber: 1,
        CopySource: 'mp-source/not-there',
      }),
    );
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NoSuchKey', status: 404 });
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'copy-missing', UploadId: uploadId }),
    );
  });
});

describe('composite checksums', () => {
  it('verifies CRC32 parts and reports the composite CRC32 on Complete, HEAD and GET', async () => {
    const key = 'crc';
    const uploadId = await create(key, { ChecksumAlgorithm: 'CRC32' });
    const parts = [randomBytes(5 * MiB), randomBytes(2048)];
    const raw = parts.map((p) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(p));
      return b;
    });
    const done = [];
    for (const [i, data] of parts.entries()) {
      const out = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          PartNumber: i + 1,
          Body: data,
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      expect(out.ChecksumCRC32).toBe(raw[i]!.toString('base64'));
      done.push({ PartNumber: i + 1, ETag: out.ETag!, ChecksumCRC32: out.ChecksumCRC32! });
    }
    const composite = Buffer.alloc(4);
    composite.writeUInt32BE(crc32(Buffer.concat(raw)));
    const expected = `${composite.toString('base64')}-2`;
    const result = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    expect(result.ChecksumCRC32).toBe(expected);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumCRC32).toBe(expected);
    expect(head.ChecksumType).toBe('COMPOSITE');
    const got = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
    );
    expect(got.ChecksumCRC32).toBe(expected);
    expect(md5(await bodyOf(got))).toBe(md5(Buffer.concat(parts)));
    // A part is served with its own checksum, which the SDK verifies as it reads.
    const part2 = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2, ChecksumMode: 'ENABLED' }),
    );
    expect(part2.ChecksumCRC32).toBe(raw[1]!.toString('base64'));
    expect(md5(await bodyOf(part2))).toBe(md5(parts[1]!));
  });

  it('refuses a Complete whose part checksum differs from the stored one', async () => {
    const key = 'crc-mismatch';
    const uploadId = await create(key, { ChecksumAlgorithm: 'CRC32' });
    const out = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        PartNumber: 1,
        Body: Buffer.from('abc'),
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    const wrong = s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: out.ETag!, ChecksumCRC32: 'AAAAAA==' }] },
      }),
    );
    expect(await s3ErrorOf(wrong)).toEqual({ name: 'InvalidPart', status: 400 });
  });
});
