/**
 * Multipart checksums as S3 documents them and ceph/s3-tests checks them (its
 * test_multipart_use_cksum_helper_* and test_object_checksum_crc64nvme cannot run with
 * Debian's botocore 1.29, which does not know ChecksumType or CRC64NVME): COMPOSITE SHA-1
 * and SHA-256, FULL_OBJECT CRC32, CRC32C and CRC64NVME over three 5 MiB parts, with the
 * suite's published values, on Complete, HEAD, GetObjectAttributes and GET ?partNumber;
 * and the refusals of a Complete whose object checksum or type does not hold.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type ChecksumType,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useCairn } from '../helpers/cairn-process.js';
import { bodyOf, md5 } from '../helpers/multipart-client.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';

let s3: S3Client;
const BUCKET = 'checksums';
const FIVE_MIB = 5 * 1024 * 1024;

useCairn({ buckets: [BUCKET] }, (started) => ({ s3 } = started));

type Field = `Checksum${ChecksumAlgorithm}`;
const field = (algorithm: ChecksumAlgorithm) => `Checksum${algorithm}` as Field;

/** ceph/s3-tests' values for parts of 5 MiB of 'A', 'B' and 'C' and the whole object. */
const VECTORS: Array<[ChecksumAlgorithm, ChecksumType, string[], string]> = [
  [
    'SHA256',
    'COMPOSITE',
    [
      '275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI=',
      'mrHwOfjTL5Zwfj74F05HOQGLdUb7E5szdCbxgUSq6NM=',
      'Vw7oB/nKQ5xWb3hNgbyfkvDiivl+U+/Dft48nfJfDow=',
    ],
    'uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3',
  ],
  [
    'SHA1',
    'COMPOSITE',
    [
      'iIaTCGbm+vdVjNqIMF2S0T7ibMk=',
      'LS/TJ32bAVKEwRu+sE3X7awh/lk=',
      '6DDwovUaHwrKNXDMzOGbuvj9kxI=',
    ],
    'sizjvY4eud3MrcHdZM3cQ/ol39o=-3',
  ],
  ['CRC32', 'FULL_OBJECT', ['JRTCyQ==', 'QoZTGg==', 'YAgjqw=='], 'WgDhBQ=='],
  ['CRC32C', 'FULL_OBJECT', ['MDaLrw==', 'TH4EZg==', 'Z7mBIQ=='], 'xU+Krw=='],
  ['CRC64NVME', 'FULL_OBJECT', ['L/E4WYn8v98=', 'xW1l19VobYM=', 'cK5MnNaWrW4='], 'i+6LR0y3eFo='],
];

const bodies = ['A', 'B', 'C'].map((c) => Buffer.alloc(FIVE_MIB, c));

async function uploadParts(key: string, algorithm: ChecksumAlgorithm, type: ChecksumType) {
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      ChecksumAlgorithm: algorithm,
      ChecksumType: type,
    }),
  );
  expect(created.ChecksumAlgorithm).toBe(algorithm);
  expect(created.ChecksumType).toBe(type);
  const UploadId = created.UploadId!;
  const parts = [];
  for (const [i, body] of bodies.entries()) {
    const out = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        PartNumber: i + 1,
        Body: body,
        ChecksumAlgorithm: algorithm,
      }),
    );
    parts.push({ PartNumber: i + 1, ETag: out.ETag!, [field(algorithm)]: out[field(algorithm)] });
  }
  return { UploadId, parts };
}

describe('multipart checksums (ceph/s3-tests vectors)', () => {
  it.each(VECTORS)(
    '%s %s: parts, Complete, HEAD, attributes, parts',
    async (alg, type, want, whole) => {
      const key = `three-${alg}`;
      const { UploadId, parts } = await uploadParts(key, alg, type);
      expect(parts.map((p) => p[field(alg)])).toEqual(want);
      const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));
      expect([listed.ChecksumAlgorithm, listed.ChecksumType]).toEqual([alg, type]);
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
          ChecksumType: type,
          [field(alg)]: whole,
        }),
      );
      expect([done.ChecksumType, done[field(alg)]]).toEqual([type, whole]);
      const plain = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(plain[field(alg)]).toBeUndefined();
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
      );
      expect([head.ChecksumType, head[field(alg)]]).toEqual([type, whole]);
      // A full-object CRC is of every byte: the SDK checks the whole GET against it.
      const got = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
      );
      expect(got[field(alg)]).toBe(whole);
      expect(md5(await bodyOf(got))).toBe(md5(Buffer.concat(bodies)));
      const attrs = await s3.send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: key,
          ObjectAttributes: ['Checksum'],
        }),
      );
      expect([attrs.Checksum?.ChecksumType, attrs.Checksum?.[field(alg)]]).toEqual([type, whole]);
      for (const n of [1, 2, 3]) {
        const part = await s3.send(
          new GetObjectCommand({
            Bucket: BUCKET,
            Key: key,
            PartNumber: n,
            ChecksumMode: 'ENABLED',
          }),
        );
        expect([part.ChecksumType, part[field(alg)]]).toEqual([type, want[n - 1]]);
        expect(md5(await bodyOf(part))).toBe(md5(bodies[n - 1]!));
      }
    },
  );
});

describe('Complete refuses a checksum that does not hold', () => {
  it('BadDigest for a wrong or malformed value, and the upload stays', async () => {
    const { UploadId, parts } = await uploadParts('wrong', 'CRC32', 'FULL_OBJECT');
    const complete = (extra: object) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'wrong',
          UploadId,
          MultipartUpload: { Parts: parts },
          ...extra,
        }),
      );
    for (const value of ['AAAAAA==', 'bad', 'WgDhBQ==-3']) {
      expect(await s3ErrorOf(complete({ ChecksumCRC32: value }))).toEqual({
        name: 'BadDigest',
        status: 400,
      });
    }
    const otherAlgorithm = complete({
      ChecksumSHA256: 'uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=',
    });
    expect(await s3ErrorOf(otherAlgorithm)).toEqual({ name: 'InvalidRequest', status: 400 });
    const otherType = complete({ ChecksumType: 'COMPOSITE' });
    expect(await s3ErrorOf(otherType)).toEqual({ name: 'InvalidRequest', status: 400 });
    const done = await complete({ ChecksumCRC32: 'WgDhBQ==' });
    expect(done.ChecksumCRC32).toBe('WgDhBQ==');
  });

  it('CreateMultipartUpload refuses a type the algorithm cannot have', async () => {
    const create = (ChecksumAlgorithm: ChecksumAlgorithm | undefined, ChecksumType: ChecksumType) =>
      s3.send(
        new CreateMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'k',
          ChecksumAlgorithm,
          ChecksumType,
        }),
      );
    for (const [algorithm, type] of [
      ['SHA256', 'FULL_OBJECT'],
      ['SHA1', 'FULL_OBJECT'],
      ['CRC64NVME', 'COMPOSITE'],
      [undefined, 'COMPOSITE'],
    ] as const) {
      expect(await s3ErrorOf(create(algorithm, type))).toEqual({
        name: 'InvalidRequest',
        status: 400,
      });
    }
    const crc64 = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'k',
        ChecksumAlgorithm: 'CRC64NVME',
      }),
    );
    expect(crc64.ChecksumType).toBe('FULL_OBJECT');
  });
});

describe('PutObject checksums (test_object_checksum_crc64nvme, sha256)', () => {
  it.each([
    ['CRC64NVME', 'Qeh8oXvGiSo='],
    ['SHA256', 'arcu6553sHVAiX4MjW0j7I7vD4w6R+Gz9Ok0Q9lTa+0='],
  ] as const)('%s: kept, shown with checksum mode, a bad value is BadDigest', async (alg, sum) => {
    const key = `put-${alg}`;
    const body = Buffer.alloc(1024, 'A');
    const put = (value: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: body,
          ChecksumAlgorithm: alg,
          [field(alg)]: value,
        }),
      );
    expect((await put(sum))[field(alg)]).toBe(sum);
    const plain = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(plain[field(alg)]).toBeUndefined();
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
    );
    expect([head[field(alg)], head.ChecksumType]).toEqual([sum, 'FULL_OBJECT']);
    expect(await s3ErrorOf(put('bad'))).toEqual({ name: 'BadDigest', status: 400 });
  });
});
