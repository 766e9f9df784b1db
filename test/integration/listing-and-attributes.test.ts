/**
 * Listings as ceph/s3-tests and the SDKs read them (encoding-type=url in V1 and V2, an empty
 * continuation-token, ListBuckets pages), storage classes (kept on PUT, copy and multipart
 * and shown by HEAD, GET, listings, ListParts, ListMultipartUploads and GetObjectAttributes;
 * archive and foreign classes refused) and GetObjectAttributes, against a real
 * `cairn start` process with @aws-sdk/client-s3.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { createUser } from '../helpers/users.js';

let server: CairnProcess;
let s3: S3Client;
const BUCKET = 'listing';
const MiB = 1024 * 1024;

useCairn({ buckets: [BUCKET, 'classes', 'attrs'] }, (started) => ({ server, s3 } = started));

const put = (bucket: string, key: string, body: string | Buffer = 'x', extra = {}) =>
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));

async function rawXml(path: string, headers: Record<string, string> = {}) {
  const res = await signedFetch(server.url, path, { credentials: server, headers });
  return { status: res.status, xml: await res.text() };
}

describe('listings', () => {
  it('encoding-type=url: V2 encodes Prefix, V1 keeps it; keys and prefixes keep "/"', async () => {
    for (const key of ['foo+1/bar', 'foo/bar/xyzzy', 'quux ab/thud', 'asdf+b']) {
      await put(BUCKET, key);
    }
    const v2 = await rawXml(`/${BUCKET}?list-type=2&delimiter=%2F&encoding-type=url`);
    expect(v2.status).toBe(200);
    expect(v2.xml).toContain('<Delimiter>/</Delimiter>');
    expect(v2.xml).toContain('<Key>asdf%2Bb</Key>');
    const prefixes = [...v2.xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)</g)].map((m) => m[1]);
    expect(prefixes).toEqual(['foo%2B1/', 'foo/', 'quux%20ab/']);
    const withPrefix = `delimiter=%2F&encoding-type=url&prefix=quux%20ab%2F`;
    const v2Prefixed = await rawXml(`/${BUCKET}?list-type=2&${withPrefix}`);
    expect(v2Prefixed.xml).toContain('<Prefix>quux%20ab/</Prefix>');
    expect(v2Prefixed.xml).toContain('<Key>quux%20ab/thud</Key>');
    const v1 = await rawXml(`/${BUCKET}?${withPrefix}`);
    expect(v1.xml).toContain('<Prefix>quux ab/</Prefix>');
    expect(v1.xml).toContain('<Key>quux%20ab/thud</Key>');
  });

  it('an empty continuation-token lists from the start and is echoed', async () => {
    const { status, xml } = await rawXml(`/${BUCKET}?list-type=2&continuation-token=`);
    expect(status).toBe(200);
    expect(xml).toMatch(/<ContinuationToken\s*(\/>|><\/ContinuationToken>)/);
    expect(xml).toContain('<Key>asdf+b</Key>');
    expect(xml).toContain('<IsTruncated>false</IsTruncated>');
    const bad = await rawXml(`/${BUCKET}?list-type=2&continuation-token=%25%25`);
    expect(bad.status).toBe(400);
  });

  it('ListBuckets pages (MaxBuckets, ContinuationToken), filters Prefix and region', async () => {
    const user = await createUser(server, 'pager@example.com');
    const names = ['pg-a', 'pg-b', 'pg-c', 'other-d'];
    for (const name of names) await user.s3.send(new CreateBucketCommand({ Bucket: name }));
    const all = await user.s3.send(new ListBucketsCommand({}));
    expect(all.Buckets?.map((b) => b.Name)).toEqual(['other-d', 'pg-a', 'pg-b', 'pg-c']);
    expect(all.ContinuationToken).toBeUndefined();
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await user.s3.send(
        new ListBucketsCommand({ MaxBuckets: 1, Prefix: 'pg-', ContinuationToken: token }),
      );
      expect(page.Buckets).toHaveLength(1);
      expect(page.Prefix).toBe('pg-');
      expect(page.Buckets![0]!.BucketRegion).toBe('us-east-1');
      seen.push(page.Buckets![0]!.Name!);
      token = page.ContinuationToken;
    } while (token);
    expect(seen).toEqual(['pg-a', 'pg-b', 'pg-c']);
    const elsewhere = await user.s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));
    expect(elsewhere.Buckets ?? []).toEqual([]);
    const zero = user.s3.send(new ListBucketsCommand({ MaxBuckets: 0 }));
    expect(await s3ErrorOf(zero)).toEqual({ name: 'InvalidArgument', status: 400 });
    const forged = user.s3.send(new ListBucketsCommand({ ContinuationToken: '!!' }));
    expect(await s3ErrorOf(forged)).toEqual({ name: 'InvalidArgument', status: 400 });
    user.s3.destroy();
  });
});

describe('storage classes', () => {
  it('keeps a PUT class and shows it on HEAD, GET, listings and GetObjectAttributes', async () => {
    await put('classes', 'ia', 'data', { StorageClass: 'STANDARD_IA' });
    await put('classes', 'plain', 'data');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'classes', Key: 'ia' }));
    expect(head.StorageClass).toBe('STANDARD_IA');
    const plain = await s3.send(new HeadObjectCommand({ Bucket: 'classes', Key: 'plain' }));
    expect(plain.StorageClass).toBeUndefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'classes', Key: 'ia' }));
    expect(got.StorageClass).toBe('STANDARD_IA');
    await got.Body?.transformToByteArray();
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: 'classes' }));
    expect(v2.Contents?.map((c) => [c.Key, c.StorageClass])).toEqual([
      ['ia', 'STANDARD_IA'],
      ['plain', 'STANDARD'],
    ]);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'classes' }));
    expect(v1.Contents?.[0]?.StorageClass).toBe('STANDARD_IA');
    const attrs = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'classes',
        Key: 'ia',
        ObjectAttributes: ['StorageClass'],
      }),
    );
    expect(attrs.StorageClass).toBe('STANDARD_IA');
  });

  it('refuses archive classes (NotImplemented), unknown ones (InvalidStorageClass)', async () => {
    for (const archive of ['GLACIER', 'DEEP_ARCHIVE'] as const) {
      const refused = put('classes', 'cold', 'x', { StorageClass: archive });
      expect(await s3ErrorOf(refused)).toEqual({ name: 'NotImplemented', status: 501 });
    }
    for (const foreign of ['EXPRESS_ONEZONE', 'OUTPOSTS', 'SNOW', 'standard'] as const) {
      const refused = put('classes', 'odd', 'x', { StorageClass: foreign as 'SNOW' });
      expect(await s3ErrorOf(refused)).toEqual({ name: 'InvalidStorageClass', status: 400 });
    }
    const missing = await s3.send(new ListObjectsV2Command({ Bucket: 'classes', Prefix: 'cold' }));
    expect(missing.KeyCount).toBe(0);
  });

  it('a copy takes the class it names, else STANDARD; in place it may change it', async () => {
    const copy = (key: string, extra = {}) =>
      s3.send(
        new CopyObjectCommand({ Bucket: 'classes', Key: key, CopySource: 'classes/ia', ...extra }),
      );
    await copy('ia-copy');
    const standard = await s3.send(new HeadObjectCommand({ Bucket: 'classes', Key: 'ia-copy' }));
    expect(standard.StorageClass).toBeUndefined();
    await copy('ia', { StorageClass: 'ONEZONE_IA' });
    const moved = await s3.send(new HeadObjectCommand({ Bucket: 'classes', Key: 'ia' }));
    expect(moved.StorageClass).toBe('ONEZONE_IA');
    expect(await s3ErrorOf(copy('ia'))).toEqual({ name: 'InvalidRequest', status: 400 });
    const cold = copy('cold-copy', { StorageClass: 'GLACIER' });
    expect(await s3ErrorOf(cold)).toEqual({ name: 'NotImplemented', status: 501 });
  });

  it('multipart keeps its class in ListMultipartUploads, ListParts, the object', async () => {
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'classes',
        Key: 'rrs',
        StorageClass: 'REDUCED_REDUNDANCY',
      }),
    );
    const UploadId = created.UploadId!;
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: 'classes',
        Key: 'rrs',
        UploadId,
        PartNumber: 1,
        Body: Buffer.from('part'),
      }),
    );
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'classes' }));
    expect(uploads.Uploads?.map((u) => u.StorageClass)).toEqual(['REDUCED_REDUNDANCY']);
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'classes', Key: 'rrs', UploadId }));
    expect(parts.StorageClass).toBe('REDUCED_REDUNDANCY');
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'classes',
        Key: 'rrs',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'classes', Key: 'rrs' }));
    expect(head.StorageClass).toBe('REDUCED_REDUNDANCY');
    const refused = s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'classes', Key: 'x', StorageClass: 'GLACIER' }),
    );
    expect(await s3ErrorOf(refused)).toEqual({ name: 'NotImplemented', status: 501 });
  });
});

const ALL_ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;

describe('GetObjectAttributes', () => {
  it('answers for a single PUT: ETag unquoted, size, class, checksum, no parts', async () => {
    const body = Buffer.alloc(1024, 'A');
    const sha256 = createHash('sha256').update(body).digest('base64');
    const out = await put('attrs', 'single', body, { ChecksumSHA256: sha256 });
    const attrs = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'attrs',
        Key: 'single',
        ObjectAttributes: [...ALL_ATTRIBUTES],
      }),
    );
    expect(attrs.ETag).toBe(out.ETag!.replaceAll('"', ''));
    expect(attrs.ObjectSize).toBe(1024);
    expect(attrs.StorageClass).toBe('STANDARD');
    expect(attrs.Checksum?.ChecksumSHA256).toBe(sha256);
    expect(attrs.Checksum?.ChecksumType).toBe('FULL_OBJECT');
    expect(attrs.ObjectParts).toBeUndefined();
    expect(attrs.LastModified).toBeInstanceOf(Date);
    const sizeOnly = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'attrs',
        Key: 'single',
        ObjectAttributes: ['ObjectSize'],
      }),
    );
    expect(sizeOnly.ETag).toBeUndefined();
    expect(sizeOnly.ObjectSize).toBe(1024);
  });

  it('pages a multipart object parts with MaxParts and PartNumberMarker', async () => {
    const sizes = [5 * MiB, 5 * MiB, 5 * MiB, 123];
    const created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'attrs', Key: 'mp', ChecksumAlgorithm: 'SHA256' }),
    );
    const UploadId = created.UploadId!;
    const done: CompletedPart[] = [];
    for (const [i, size] of sizes.entries()) {
      const out = await s3.send(
        new UploadPartCommand({
          Bucket: 'attrs',
          Key: 'mp',
          UploadId,
          PartNumber: i + 1,
          Body: Buffer.alloc(size, i),
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      done.push({ PartNumber: i + 1, ETag: out.ETag!, ChecksumSHA256: out.ChecksumSHA256! });
    }
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'attrs',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    const page = (MaxParts: number, PartNumberMarker?: string) =>
      s3.send(
        new GetObjectAttributesCommand({
          Bucket: 'attrs',
          Key: 'mp',
          ObjectAttributes: [...ALL_ATTRIBUTES],
          MaxParts,
          ...(PartNumberMarker ? { PartNumberMarker } : {}),
        }),
      );
    const first = await page(2);
    expect(first.ETag).toBe(completed.ETag!.replaceAll('"', ''));
    expect(first.Checksum?.ChecksumSHA256).toBe(completed.ChecksumSHA256);
    expect(first.Checksum?.ChecksumType).toBe('COMPOSITE');
    expect(first.ObjectSize).toBe(sizes.reduce((a, b) => a + b));
    expect(first.ObjectParts?.TotalPartsCount).toBe(4);
    expect(first.ObjectParts?.IsTruncated).toBe(true);
    expect(first.ObjectParts?.NextPartNumberMarker).toBe('2');
    expect(first.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256])).toEqual(
      [1, 2].map((n) => [n, sizes[n - 1], done[n - 1]!.ChecksumSHA256]),
    );
    const rest = await page(10, first.ObjectParts!.NextPartNumberMarker);
    expect(rest.ObjectParts?.Parts?.map((p) => p.PartNumber)).toEqual([3, 4]);
    expect(rest.ObjectParts?.IsTruncated).toBe(false);
    expect(rest.ObjectParts?.PartNumberMarker).toBe('2');
  });

  it('refuses a missing or unknown attribute; NoSuchKey for no object', async () => {
    const none = await rawXml('/attrs/single?attributes');
    expect(none.status).toBe(400);
    expect(none.xml).toContain('<Code>InvalidArgument</Code>');
    const unknown = await rawXml('/attrs/single?attributes', {
      'x-amz-object-attributes': 'ETag,Colour',
    });
    expect(unknown.status).toBe(400);
    const badMax = await rawXml('/attrs/single?attributes', {
      'x-amz-object-attributes': 'ObjectParts',
      'x-amz-max-parts': '-1',
    });
    expect(badMax.status).toBe(400);
    const missing = s3.send(
      new GetObjectAttributesCommand({ Bucket: 'attrs', Key: 'nope', ObjectAttributes: ['ETag'] }),
    );
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('is governed by the object ACL: another user needs READ', async () => {
    const other = await createUser(server, 'attr-reader@example.com');
    const read = () =>
      other.s3.send(
        new GetObjectAttributesCommand({
          Bucket: 'attrs',
          Key: 'single',
          ObjectAttributes: ['ETag'],
        }),
      );
    expect(await s3ErrorOf(read())).toEqual({ name: 'AccessDenied', status: 403 });
    await put('attrs', 'single', Buffer.alloc(1024, 'A'), { ACL: 'public-read' });
    expect((await read()).ETag).toMatch(/^[0-9a-f]{32}$/);
    other.s3.destroy();
  });
});
