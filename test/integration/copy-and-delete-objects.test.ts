/**
 * CopyObject and DeleteObjects against a real `cairn start` process through
 * @aws-sdk/client-s3 at its defaults (and raw signed requests for what the SDK will not
 * send): copies within and across buckets, COPY and REPLACE metadata, the copy-source
 * conditions, self-copies, encoded source keys; multi-delete with per-key results, quiet
 * mode, the 1,000-key limit and the required integrity header.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { bodyOf, md5, s3ErrorOf } from '../helpers/multipart-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['copy-a', 'copy-b', 'deletes'] }, (started) => ({ server, s3 } = started));

const MiB = 1024 * 1024;
async function put(bucket: string, key: string, body: Buffer | string, extra = {}) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

const copySource = (bucket: string, key: string) => `${bucket}/${encodeURIComponent(key)}`;

describe('CopyObject', () => {
  it('copies within and across buckets, keeping bytes, type and metadata (COPY)', async () => {
    const data = randomBytes(3 * MiB + 11);
    await put('copy-a', 'source', data, { ContentType: 'image/png', Metadata: { colour: 'blue' } });
    for (const bucket of ['copy-a', 'copy-b']) {
      const out = await s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'copy',
          CopySource: copySource('copy-a', 'source'),
        }),
      );
      expect(out.CopyObjectResult?.ETag).toBe(`"${md5(data)}"`);
      expect(out.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy' }));
      expect(md5(await bodyOf(got))).toBe(md5(data));
      expect(got.ContentType).toBe('image/png');
      expect(got.Metadata).toEqual({ colour: 'blue' });
    }
  });

  it('replaces type and metadata with REPLACE, also onto itself', async () => {
    await put('copy-a', 'replace-me', 'text', { ContentType: 'text/plain', Metadata: { a: '1' } });
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'copy-a',
        Key: 'replace-me',
        CopySource: copySource('copy-a', 'replace-me'),
        MetadataDirective: 'REPLACE',
        ContentType: 'application/json',
        Metadata: { b: '2' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'copy-a', Key: 'replace-me' }));
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata).toEqual({ b: '2' });
    expect(head.ETag).toBe(`"${md5('text')}"`);
  });

  it('refuses a self-copy without REPLACE (InvalidRequest) and changes nothing', async () => {
    const before = await put('copy-a', 'self', 'same', { Metadata: { keep: 'me' } });
    const self = s3.send(
      new CopyObjectCommand({
        Bucket: 'copy-a',
        Key: 'self',
        CopySource: copySource('copy-a', 'self'),
      }),
    );
    expect(await s3ErrorOf(self)).toEqual({ name: 'InvalidRequest', status: 400 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'copy-a', Key: 'self' }));
    expect(head.ETag).toBe(before.ETag);
    expect(head.Metadata).toEqual({ keep: 'me' });
  });

  it('answers 412 when an x-amz-copy-source-if-* condition fails', async () => {
    const put1 = await put('copy-a', 'conditional', 'payload');
    const etag = put1.ETag!;
    const past = new Date(Date.now() - 3600_000);
    const future = new Date(Date.now() + 3600_000);
    const copy = (extra: Record<string, unknown>) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: 'copy-b',
          Key: 'conditional-copy',
          CopySource: copySource('copy-a', 'conditional'),
          ...extra,
        }),
      );
    const failing = [
      { CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' },
      { CopySourceIfNoneMatch: etag },
      { CopySourceIfModifiedSince: future },
      { CopySourceIfUnmodifiedSince: past },
    ];
    for (const condition of failing) {
      expect(await s3ErrorOf(copy(condition))).toEqual({ name: 'PreconditionFailed', status: 412 });
    }
    const missing = s3.send(new HeadObjectCommand({ Bucket: 'copy-b', Key: 'conditional-copy' }));
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NotFound', status: 404 });
    await copy({ CopySourceIfMatch: etag, CopySourceIfModifiedSince: past });
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'copy-b', Key: 'conditional-copy' }),
    );
    expect(head.ETag).toBe(etag);
  });

  it('reads URL-encoded source keys, with a leading slash and ?versionId=null', async () => {
    const key = 'dir/a b+c?d&é☺';
    await put('copy-a', key, 'odd key');
    for (const source of [
      copySource('copy-a', key),
      `/${copySource('copy-a', key)}`,
      `${copySource('copy-a', key)}?versionId=null`,
    ]) {
      await s3.send(
        new CopyObjectCommand({ Bucket: 'copy-b', Key: 'odd-copy', CopySource: source }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: 'copy-b', Key: 'odd-copy' }));
      expect((await bodyOf(got)).toString()).toBe('odd key');
    }
  });

  it('answers NoSuchKey, NoSuchBucket and InvalidArgument for bad sources', async () => {
    const copy = (source: string) =>
      s3.send(new CopyObjectCommand({ Bucket: 'copy-b', Key: 'x', CopySource: source }));
    expect(await s3ErrorOf(copy('copy-a/absent'))).toEqual({ name: 'NoSuchKey', status: 404 });
    expect(await s3ErrorOf(copy('no-such-bucket-here/k'))).toEqual({
      name: 'NoSuchBucket',
      status: 404,
    });
    expect(await s3ErrorOf(copy('copy-a'))).toEqual({ name: 'InvalidArgument', status: 400 });
    expect(await s3ErrorOf(copy('copy-a/k?versionId=v2'))).toEqual({
      name: 'InvalidArgument',
      status: 400,
    });
    const directive = s3.send(
      new CopyObjectCommand({
        Bucket: 'copy-b',
        Key: 'x',
        CopySource: 'copy-a/source',
        MetadataDirective: 'MOVE' as 'COPY',
      }),
    );
    expect(await s3ErrorOf(directive)).toEqual({ name: 'InvalidArgument', status: 400 });
  });

  it('copies an empty object, and a multipart one as a plain object (MD5 ETag)', async () => {
    await put('copy-a', 'empty', Buffer.alloc(0));
    await s3.send(
      new CopyObjectCommand({ Bucket: 'copy-b', Key: 'empty', CopySource: 'copy-a/empty' }),
    );
    const empty = await s3.send(new GetObjectCommand({ Bucket: 'copy-b', Key: 'empty' }));
    expect((await bodyOf(empty)).length).toBe(0);
    const parts = [randomBytes(5 * MiB), randomBytes(100)];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'copy-a', Key: 'mpu' }),
    );
    const done = [];
    for (const [i, Body] of parts.entries()) {
      const out = await s3.send(
        new UploadPartCommand({ Bucket: 'copy-a', Key: 'mpu', UploadId, PartNumber: i + 1, Body }),
      );
      done.push({ PartNumber: i + 1, ETag: out.ETag! });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'copy-a',
        Key: 'mpu',
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    const out = await s3.send(
      new CopyObjectCommand({ Bucket: 'copy-b', Key: 'mpu', CopySource: 'copy-a/mpu' }),
    );
    const whole = Buffer.concat(parts);
    expect(out.CopyObjectResult?.ETag).toBe(`"${md5(whole)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'copy-b', Key: 'mpu' }));
    expect(md5(await bodyOf(got))).toBe(md5(whole));
  });
});

const keysOf = async (prefix: string) => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'deletes', Prefix: prefix }));
  return (listed.Contents ?? []).map((c) => c.Key);
};

describe('DeleteObjects', () => {
  it('deletes many keys, reporting missing ones as deleted too', async () => {
    const keys = ['m/a', 'm/b & <c>', 'm/ spaced ', 'm/☺'];
    for (const key of keys) await put('deletes', key, key);
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'deletes',
        Delete: { Objects: [...keys, 'm/never-existed'].map((Key) => ({ Key })) },
      }),
    );
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual([...keys, 'm/never-existed'].sort());
    expect(out.Errors ?? []).toEqual([]);
    expect(await keysOf('m/')).toEqual([]);
  });

  it('quiet mode lists only errors; a bad key fails alone', async () => {
    await put('deletes', 'q/1', 'x');
    await put('deletes', 'q/2', 'x');
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'deletes',
        Delete: {
          Quiet: true,
          Objects: [{ Key: 'q/1' }, { Key: 'k'.repeat(1025) }, { Key: 'q/2' }],
        },
      }),
    );
    expect(out.Deleted ?? []).toEqual([]);
    expect(out.Errors?.map((e) => e.Code)).toEqual(['KeyTooLongError']);
    expect(await keysOf('q/')).toEqual([]);
  });

  it('refuses more than 1,000 keys with MalformedXML and deletes nothing', async () => {
    await put('deletes', 'limit/kept', 'x');
    const objects = Array.from({ length: 1001 }, (_, i) => ({
      Key: i === 0 ? 'limit/kept' : `n${i}`,
    }));
    const tooMany = s3.send(
      new DeleteObjectsCommand({ Bucket: 'deletes', Delete: { Objects: objects } }),
    );
    expect(await s3ErrorOf(tooMany)).toEqual({ name: 'MalformedXML', status: 400 });
    expect(await keysOf('limit/')).toEqual(['limit/kept']);
  });

  it('requires Content-MD5 or a checksum, and verifies it before deleting', async () => {
    await put('deletes', 'md5/kept', 'x');
    const xml = '<Delete><Object><Key>md5/kept</Key></Object></Delete>';
    const send = (headers: Record<string, string>, body = xml) =>
      signedFetch(server.url, '/deletes?delete', {
        method: 'POST',
        body,
        headers,
        credentials: server,
      });
    const bare = await send({});
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain('<Code>InvalidRequest</Code>');
    const wrong = await send({ 'content-md5': createHash('md5').update('other').digest('base64') });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('<Code>BadDigest</Code>');
    const malformed = '<Delete><Object><Key>md5/kept</Key></Object>';
    const broken = await send(
      { 'content-md5': createHash('md5').update(malformed).digest('base64') },
      malformed,
    );
    expect(await broken.text()).toContain('<Code>MalformedXML</Code>');
    expect(await keysOf('md5/')).toEqual(['md5/kept']);
    const good = await send({ 'content-md5': createHash('md5').update(xml).digest('base64') });
    expect(good.status).toBe(200);
    expect(await good.text()).toContain('<Deleted><Key>md5/kept</Key></Deleted>');
    expect(await keysOf('md5/')).toEqual([]);
  });
});
