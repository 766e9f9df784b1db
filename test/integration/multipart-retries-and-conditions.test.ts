/**
 * What SDKs do around CompleteMultipartUpload and conditional writes, against a real
 * `cairn start` process: a Complete retried after its answer was lost (the JS SDK and
 * boto3), a part re-sent before its first upload finished (ceph/s3-tests'
 * test_multipart_resend_first_finishes_last lists both answers), and If-Match /
 * If-None-Match on PutObject and Complete as ceph/s3-tests' test_put_object_if_match and
 * test_multipart_put_object_if_match check them (botocore 1.29 cannot send those).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { bodyOf, multipartCalls, type CompletedPart } from '../helpers/multipart-client.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { missingTool } from '../helpers/tools.js';
import { skipWith } from '../helpers/skip.js';

let server: CairnProcess;
let s3: S3Client;
const BUCKET = 'retries';
const MiB = 1024 * 1024;
const run = promisify(execFile);

useCairn({ buckets: [BUCKET] }, (started) => ({ server, s3 } = started));

const { create, upload, complete } = multipartCalls(() => s3, BUCKET);

async function read(key: string): Promise<string> {
  return (
    await bodyOf(await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })))
  ).toString();
}

describe('a retried Complete', () => {
  it('answers again with the same ETag while the upload made the current version', async () => {
    const uploadId = await create('twice');
    const parts = [
      await upload('twice', uploadId, 1, Buffer.alloc(5 * MiB, 'a')),
      await upload('twice', uploadId, 2, Buffer.from('tail')),
    ];
    const first = await complete('twice', uploadId, parts);
    const again = await complete('twice', uploadId, parts);
    expect([again.ETag, again.Key, again.Location]).toEqual([
      first.ETag,
      first.Key,
      first.Location,
    ]);
    const fewer = complete('twice', uploadId, parts.slice(0, 1));
    expect(await s3ErrorOf(fewer)).toEqual({ name: 'NoSuchUpload', status: 404 });
    const otherKey = complete('other', uploadId, parts);
    expect(await s3ErrorOf(otherKey)).toEqual({ name: 'NoSuchUpload', status: 404 });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'twice', Body: 'newer' }));
    const stale = complete('twice', uploadId, parts);
    expect(await s3ErrorOf(stale)).toEqual({ name: 'NoSuchUpload', status: 404 });
    expect(await read('twice')).toBe('newer');
  });

  it('an aborted upload stays NoSuchUpload', async () => {
    const uploadId = await create('aborted');
    const parts = [await upload('aborted', uploadId, 1, Buffer.from('x'))];
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: uploadId }),
    );
    expect(await s3ErrorOf(complete('aborted', uploadId, parts))).toEqual({
      name: 'NoSuchUpload',
      status: 404,
    });
  });

  it(
    'boto3: the retry gets the same ETag and checksum',
    skipWith(missingTool('boto3')),
    async () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CAIRN_URL: server.url,
        AWS_ACCESS_KEY_ID: server.keyId,
        AWS_SECRET_ACCESS_KEY: server.secret,
      };
      delete env.AWS_CA_BUNDLE;
      const script = resolve(import.meta.dirname, '../compat/boto3_complete_retry.py');
      const { stdout } = await run('/usr/bin/python3', [script], { env, timeout: 120_000 });
      expect(stdout).toContain('boto3 complete retry OK');
    },
  );
});

describe('a re-sent part', () => {
  it('the later upload of a part is stored; a list naming both counts the last', async () => {
    const uploadId = await create('resent');
    const older = await upload('resent', uploadId, 1, Buffer.from('B'.repeat(8)));
    const newer = await upload('resent', uploadId, 1, Buffer.from('A'.repeat(8)));
    const stale = complete('resent', uploadId, [newer, older]);
    expect(await s3ErrorOf(stale)).toEqual({ name: 'InvalidPart', status: 400 });
    const backwards = complete('resent', uploadId, [{ PartNumber: 2, ETag: newer.ETag }, newer]);
    expect(await s3ErrorOf(backwards)).toEqual({ name: 'InvalidPartOrder', status: 400 });
    const done = await complete('resent', uploadId, [older, newer]);
    expect(done.ETag).toMatch(/-1"$/);
    expect(await read('resent')).toBe('A'.repeat(8));
  });
});

describe('conditional writes (the suite checks, through the JS SDK)', () => {
  const putIf = (key: string, condition: { IfMatch?: string; IfNoneMatch?: string }) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'abc', ...condition }));

  async function completeIf(key: string, condition: { IfMatch?: string; IfNoneMatch?: string }) {
    const uploadId = await create(key);
    const parts: CompletedPart[] = [await upload(key, uploadId, 1, Buffer.from('abc'))];
    return s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...condition,
      }),
    );
  }

  const failed = (status: number, name: string) => ({ name, status });

  it.each([
    ['PutObject', putIf],
    ['CompleteMultipartUpload', completeIf],
  ] as const)('%s: If-None-Match and If-Match as test_*_if_match', async (label, write) => {
    const key = `cond-${label}`;
    let etag = (await write(key, { IfNoneMatch: '*' })).ETag!;
    expect(await s3ErrorOf(write(key, { IfNoneMatch: '*' }))).toEqual(
      failed(412, 'PreconditionFailed'),
    );
    expect(await s3ErrorOf(write(key, { IfNoneMatch: etag }))).toEqual(
      failed(412, 'PreconditionFailed'),
    );
    etag = (await write(key, { IfNoneMatch: '"badetag"' })).ETag!;
    etag = (await write(key, { IfMatch: etag })).ETag!;
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await s3ErrorOf(write(key, { IfMatch: '*' }))).toEqual(failed(404, 'NoSuchKey'));
    expect(await s3ErrorOf(write(key, { IfMatch: '"badetag"' }))).toEqual(failed(404, 'NoSuchKey'));
    etag = (await write(key, { IfNoneMatch: etag })).ETag!;
    etag = (await write(key, { IfMatch: '*' })).ETag!;
    expect(await s3ErrorOf(write(key, { IfMatch: '"badetag"' }))).toEqual(
      failed(412, 'PreconditionFailed'),
    );
    await write(key, { IfMatch: etag });
    expect(await read(key)).toBe('abc');
  });
});
