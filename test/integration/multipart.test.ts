/**
 * Multipart uploads against a real `cairn start` process through @aws-sdk/client-s3 at its
 * defaults: parts out of order and in parallel, replaced parts, ListParts and
 * ListMultipartUploads paging, GET ?partNumber and ranges across parts, and every error
 * code, checking that a refused request changes nothing. UploadPartCopy and composite
 * checksums are in multipart-copy-and-checksums.test.ts, 10,000 parts in
 * multipart-10000-parts.test.ts.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import {
  bodyOf,
  expectedEtag,
  md5,
  multipartCalls,
  s3ErrorOf,
} from '../helpers/multipart-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;
const BUCKET = 'multipart';

useCairn({ buckets: [BUCKET, 'mp-source'] }, (started) => ({ server, s3 } = started));

const MiB = 1024 * 1024;
const { create, upload, complete } = multipartCalls(() => s3, BUCKET);

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
    expect(await s3ErrorOf(past)).toEqual({ name: 'InvalidPart', status: 400 });
  });

  it('treats a single-PUT object as one part', async () => {
    const data = randomBytes(3000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'single', Body: data }));
    const one = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'single', PartNumber: 1 }),
    );
    expect(md5(await bodyOf(one))).toBe(md5(data));
    const two = s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'single', PartNumber: 2 }));
    expect(await s3ErrorOf(two)).toEqual({ name: 'InvalidPart', status: 400 });
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

describe('multipart errors change nothing', () => {
  it('answers NoSuchUpload for an unknown upload id, on every operation', async () => {
    const base = { Bucket: BUCKET, Key: 'nothing', UploadId: 'no-such-upload' };
    const ops = [
      () => s3.send(new UploadPartCommand({ ...base, PartNumber: 1, Body: Buffer.from('x') })),
      () => s3.send(new ListPartsCommand(base)),
      () => s3.send(new AbortMultipartUploadCommand(base)),
      () => complete('nothing', 'no-such-upload', [{ PartNumber: 1, ETag: '"x"' }]),
    ];
    for (const op of ops)
      expect(await s3ErrorOf(op())).toEqual({ name: 'NoSuchUpload', status: 404 });
  });

  it('refuses part numbers outside 1..10000 with InvalidArgument', async () => {
    const uploadId = await create('numbers');
    for (const partNumber of [0, 10001]) {
      const res = await signedFetch(
        server.url,
        `/${BUCKET}/numbers?partNumber=${partNumber}&uploadId=${uploadId}`,
        {
          method: 'PUT',
          body: 'x',
          credentials: server,
        },
      );
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('<Code>InvalidArgument</Code>');
    }
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'numbers', UploadId: uploadId }),
    );
    expect(parts.Parts ?? []).toEqual([]);
  });

  it('refuses bad Complete requests and leaves the upload as it was', async () => {
    const key = 'refused';
    const uploadId = await create(key);
    const p1 = await upload(key, uploadId, 1, randomBytes(5 * MiB));
    const p2 = await upload(key, uploadId, 2, Buffer.from('small'));
    const p3 = await upload(key, uploadId, 3, Buffer.from('tail'));
    const cases: Array<[Array<{ PartNumber: number; ETag: string }>, string]> = [
      [[p1, { PartNumber: 2, ETag: '"0123456789abcdef0123456789abcdef"' }], 'InvalidPart'],
      [[p1, { PartNumber: 7, ETag: p2.ETag }], 'InvalidPart'],
      [[p2, p1], 'InvalidPartOrder'],
      [[p1, p2, p3], 'EntityTooSmall'],
      [[], 'MalformedXML'],
    ];
    for (const [parts, code] of cases) {
      expect(await s3ErrorOf(complete(key, uploadId, parts))).toEqual({ name: code, status: 400 });
    }
    const bad = await signedFetch(server.url, `/${BUCKET}/${key}?uploadId=${uploadId}`, {
      method: 'POST',
      body: '<CompleteMultipartUpload><Part><PartNumber>1',
      credentials: server,
    });
    expect(await bad.text()).toContain('<Code>MalformedXML</Code>');
    const missing = s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NotFound', status: 404 });
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
    );
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
    // The last part may be small; parts left out are simply not in the object.
    const done = await complete(key, uploadId, [p1, p3]);
    expect(done.ETag).toMatch(/-2"$/);
  });

  it('aborts: the upload disappears and later parts are NoSuchUpload', async () => {
    const uploadId = await create('aborted');
    await upload('aborted', uploadId, 1, Buffer.from('data'));
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: uploadId }),
    );
    const late = upload('aborted', uploadId, 2, Buffer.from('late'));
    expect(await s3ErrorOf(late)).toEqual({ name: 'NoSuchUpload', status: 404 });
    const listed = s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: uploadId }),
    );
    expect(await s3ErrorOf(listed)).toEqual({ name: 'NoSuchUpload', status: 404 });
    const head = s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'aborted' }));
    expect(await s3ErrorOf(head)).toEqual({ name: 'NotFound', status: 404 });
  });

  it('refuses a part whose checksum does not match its bytes (BadDigest)', async () => {
    const uploadId = await create('bad-digest');
    const res = await signedFetch(
      server.url,
      `/${BUCKET}/bad-digest?partNumber=1&uploadId=${uploadId}`,
      {
        method: 'PUT',
        body: 'some bytes',
        headers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
        credentials: server,
      },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>BadDigest</Code>');
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'bad-digest', UploadId: uploadId }),
    );
    expect(parts.Parts ?? []).toEqual([]);
  });
});

describe('listing parts and uploads', () => {
  it('pages ListParts with max-parts and part-number-marker', async () => {
    const uploadId = await create('paged');
    for (const n of [1, 2, 3]) await upload('paged', uploadId, n, Buffer.from(`part ${n}`));
    const base = { Bucket: BUCKET, Key: 'paged', UploadId: uploadId };
    const first = await s3.send(new ListPartsCommand({ ...base, MaxParts: 2 }));
    expect(first.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 6],
      [2, 6],
    ]);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextPartNumberMarker).toBe('2');
    const rest = await s3.send(new ListPartsCommand({ ...base, PartNumberMarker: '2' }));
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([3]);
    expect(rest.IsTruncated).toBe(false);
    expect(rest.Parts?.[0]?.ETag).toBe(`"${md5(Buffer.from('part 3'))}"`);
    await s3.send(new AbortMultipartUploadCommand(base));
  });

  it('lists uploads with prefix, delimiter, key and upload-id markers, max-uploads', async () => {
    const bucket = 'mp-source';
    const start = async (key: string) =>
      (await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
    const ids: Record<string, string> = {};
    for (const key of ['a', 'dir/x', 'dir/y', 'z']) ids[key] = await start(key);
    const second = await start('a');
    const list = (extra: Record<string, unknown> = {}) =>
      s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, ...extra }));
    const all = await list();
    expect(all.Uploads?.map((u) => u.Key)).toEqual(['a', 'a', 'dir/x', 'dir/y', 'z']);
    const rolled = await list({ Delimiter: '/' });
    expect(rolled.Uploads?.map((u) => u.Key)).toEqual(['a', 'a', 'z']);
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
    const inDir = await list({ Prefix: 'dir/' });
    expect(inDir.Uploads?.map((u) => u.Key)).toEqual(['dir/x', 'dir/y']);
    const page1 = await list({ MaxUploads: 1 });
    expect(page1.IsTruncated).toBe(true);
    const page2 = await list({
      MaxUploads: 2,
      KeyMarker: page1.NextKeyMarker,
      UploadIdMarker: page1.NextUploadIdMarker,
    });
    const firstA = page1.Uploads![0]!.UploadId;
    expect(page2.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ['a', firstA === ids['a'] ? second : ids['a']],
      ['dir/x', ids['dir/x']],
    ]);
    const afterKey = await list({ KeyMarker: 'dir/x' });
    expect(afterKey.Uploads?.map((u) => u.Key)).toEqual(['dir/y', 'z']);
    const bad = list({ MaxUploads: -1 });
    expect((await s3ErrorOf(bad)).status).toBe(400);
    for (const [key, uploadId] of [...Object.entries(ids), ['a', second] as const]) {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
      );
    }
    expect((await list()).Uploads ?? []).toEqual([]);
  });
});
