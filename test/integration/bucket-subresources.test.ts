/**
 * Bucket and object sub-resources through @aws-sdk/client-s3 against a real `cairn start`:
 * the versioning surface of a never-versioned bucket, NotImplemented for encryption writes /
 * object lock, tagging of buckets and objects with S3's limits, and
 * conditional PUT.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand,
  GetBucketEncryptionCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['ver', 'ver-suspend', 'tags', 'cond', 'unsup'] }, (started) => {
  ({ server, s3 } = started);
});

const put = (Bucket: string, Key: string, Body = 'x') =>
  s3.send(new PutObjectCommand({ Bucket, Key, Body }));

const raw = (
  path: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
) =>
  signedFetch(server.url, path, {
    ...options,
    credentials: { keyId: server.keyId, secret: server.secret },
  });

describe('versioning', () => {
  // Enabling is served now (issue 19): versioning.test.ts covers it.
  it('answers a never-enabled configuration', async () => {
    const got = await s3.send(new GetBucketVersioningCommand({ Bucket: 'ver' }));
    expect(got.Status).toBeUndefined();
    const response = await raw('/ver?versioning');
    expect(await response.text()).toMatch(/<VersioningConfiguration xmlns="http:\/\/s3\.amazon/);
  });

  it('records Suspended as a no-op and reads it back', async () => {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'ver-suspend',
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );
    const got = await s3.send(new GetBucketVersioningCommand({ Bucket: 'ver-suspend' }));
    expect(got.Status).toBe('Suspended');
    const bad = await raw('/ver-suspend?versioning', {
      method: 'PUT',
      body: '<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>MalformedXML</Code>');
  });

  it('lists current objects as null versions with prefix, delimiter and markers', async () => {
    for (const key of ['a', 'b/1', 'b/2', 'c', 'd']) await put('ver', key);
    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: 'ver', Delimiter: '/' }));
    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['a', 'null', true],
      ['c', 'null', true],
      ['d', 'null', true],
    ]);
    expect(all.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/']);
    expect(all.Versions?.[0]?.ETag).toBe('"9dd4e461268c8034f5c8564e155c67a6"');
    const keys: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const got = await s3.send(
        new ListObjectVersionsCommand({ Bucket: 'ver', MaxKeys: 2, KeyMarker: marker }),
      );
      keys.push(...(got.Versions ?? []).map((v) => v.Key!));
      if (!got.IsTruncated) break;
      expect(got.NextVersionIdMarker).toBe('null');
      marker = got.NextKeyMarker;
    }
    expect(keys).toEqual(['a', 'b/1', 'b/2', 'c', 'd']);
    const prefixed = await s3.send(new ListObjectVersionsCommand({ Bucket: 'ver', Prefix: 'b/' }));
    expect(prefixed.Versions?.map((v) => v.Key)).toEqual(['b/1', 'b/2']);
    expect(prefixed.DeleteMarkers).toBeUndefined();
  });

  it('url-encodes keys on request and checks its markers', async () => {
    await put('ver', 'sp ace');
    const text = await (await raw('/ver?versions&encoding-type=url&prefix=sp')).text();
    expect(text).toContain('<Key>sp%20ace</Key>');
    expect(text).toContain('<EncodingType>url</EncodingType>');
    const lone = await raw('/ver?versions&version-id-marker=null');
    expect(lone.status).toBe(400);
    const badId = await raw('/ver?versions&key-marker=a&version-id-marker=xyz');
    expect(badId.status).toBe(400);
  });

  it('serves versionId=null as the current object and refuses any other version id', async () => {
    await put('ver', 'v', 'current');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'ver', Key: 'v', VersionId: 'null' }));
    expect(await got.Body?.transformToString()).toBe('current');
    const other = s3.send(new GetObjectCommand({ Bucket: 'ver', Key: 'v', VersionId: 'abc' }));
    expect(await s3ErrorOf(other)).toEqual({ name: 'InvalidArgument', status: 400 });
  });
});

describe('unsupported features answer NotImplemented, never a wrong success', () => {
  it('encryption writes; object lock refuses an unlocked bucket', async () => {
    const Bucket = 'unsup';
    const notImplemented = { name: 'NotImplemented', status: 501 };
    // Lifecycle is served now: test/integration/lifecycle.test.ts.
    const calls = [
      () =>
        s3.send(
          new PutBucketEncryptionCommand({
            Bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
            },
          }),
        ),
      () => s3.send(new DeleteBucketEncryptionCommand({ Bucket })),
    ];
    for (const call of calls) expect(await s3ErrorOf(call())).toEqual(notImplemented);
    // Object lock is served (object-lock.test.ts): on this unversioned bucket, AWS's refusals.
    const getLock = s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    expect(await s3ErrorOf(getLock)).toEqual({
      name: 'ObjectLockConfigurationNotFoundError',
      status: 404,
    });
    const putLock = s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
      }),
    );
    expect(await s3ErrorOf(putLock)).toEqual({ name: 'InvalidBucketState', status: 409 });
  });

  it('GetBucketEncryption says there is no configuration (404)', async () => {
    const got = s3.send(new GetBucketEncryptionCommand({ Bucket: 'unsup' }));
    expect(await s3ErrorOf(got)).toEqual({
      name: 'ServerSideEncryptionConfigurationNotFoundError',
      status: 404,
    });
  });

  it('refuses a PUT asking for server-side encryption and stores nothing', async () => {
    const sse = new PutObjectCommand({
      Bucket: 'unsup',
      Key: 'secret',
      Body: 'x',
      ServerSideEncryption: 'AES256',
    });
    expect(await s3ErrorOf(s3.send(sse))).toEqual({ name: 'NotImplemented', status: 501 });
    const head = s3.send(new HeadObjectCommand({ Bucket: 'unsup', Key: 'secret' }));
    expect((await s3ErrorOf(head)).status).toBe(404);
  });
});

describe('tagging', () => {
  const tagSet = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));

  it('puts, gets and deletes bucket tags; NoSuchTagSet without them', async () => {
    const none = s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' }));
    expect(await s3ErrorOf(none)).toEqual({ name: 'NoSuchTagSet', status: 404 });
    const TagSet = [
      { Key: 'team', Value: 'storage' },
      { Key: 'cost centre', Value: '' },
    ];
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet } }));
    const got = await s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' }));
    // A tag set has no order; S3 (and RGW) answer it in key order.
    expect(got.TagSet).toEqual([TagSet[1], TagSet[0]]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'tags' }));
    const gone = s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' }));
    expect(await s3ErrorOf(gone)).toEqual({ name: 'NoSuchTagSet', status: 404 });
  });

  it('refuses invalid bucket tag sets and keeps the old one', async () => {
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: tagSet(50) } }));
    const bad = [
      tagSet(51),
      [
        { Key: 'a', Value: '1' },
        { Key: 'a', Value: '2' },
      ],
      [{ Key: 'k'.repeat(129), Value: '' }],
      [{ Key: 'k', Value: 'v'.repeat(257) }],
      [{ Key: 'aws:reserved', Value: '' }],
    ];
    for (const TagSet of bad) {
      const error = await s3ErrorOf(
        s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet } })),
      );
      expect(error).toEqual({ name: 'InvalidTag', status: 400 });
    }
    const malformed = await raw('/tags?tagging', { method: 'PUT', body: '<Tagging><Tag/>' });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('MalformedXML');
    const got = await s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' }));
    expect(got.TagSet).toHaveLength(50);
  });

  it('tags objects on PUT, counts them on GET and HEAD, replaces and deletes them', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'tags',
        Key: 'o',
        Body: 'body',
        Tagging: 'a=1&b=two%20words',
      }),
    );
    const head = await raw('/tags/o', { method: 'HEAD' });
    expect(head.headers.get('x-amz-tagging-count')).toBe('2');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'tags', Key: 'o' }));
    expect(got.TagCount).toBe(2);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'o' }));
    expect(tags.TagSet).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two words' },
    ]);
    await s3.send(
      new PutObjectTaggingCommand({ Bucket: 'tags', Key: 'o', Tagging: { TagSet: tagSet(10) } }),
    );
    const after = await s3.send(new HeadObjectCommand({ Bucket: 'tags', Key: 'o' }));
    expect(after.ETag).toBe(got.ETag);
    expect(after.LastModified).toEqual(got.LastModified);
    const eleven = s3.send(
      new PutObjectTaggingCommand({ Bucket: 'tags', Key: 'o', Tagging: { TagSet: tagSet(11) } }),
    );
    expect(await s3ErrorOf(eleven)).toEqual({ name: 'InvalidTag', status: 400 });
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'tags', Key: 'o' }));
    const cleared = await s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'o' }));
    expect(cleared.TagSet).toEqual([]);
    const body = await s3.send(new GetObjectCommand({ Bucket: 'tags', Key: 'o' }));
    expect(await body.Body?.transformToString()).toBe('body');
    expect(body.TagCount).toBeUndefined();
  });

  it('answers NoSuchKey for a missing object and InvalidTag for a bad x-amz-tagging', async () => {
    const missing = s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'nope' }));
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NoSuchKey', status: 404 });
    const bad = s3.send(
      new PutObjectCommand({ Bucket: 'tags', Key: 'bad', Body: 'x', Tagging: 'a=1&a=2' }),
    );
    expect(await s3ErrorOf(bad)).toEqual({ name: 'InvalidTag', status: 400 });
  });
});

describe('tags set with the object: PUT, multipart and copy', () => {
  const tagsOf = async (Key: string) =>
    (await s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key }))).TagSet;

  it('keeps a tag without a value from x-amz-tagging, answering tags in key order', async () => {
    const res = await raw('/tags/valueless', {
      method: 'PUT',
      body: 'A'.repeat(100),
      headers: { 'x-amz-tagging': 'foo=bar&bar' },
    });
    expect(res.status).toBe(200);
    expect(await tagsOf('valueless')).toEqual([
      { Key: 'bar', Value: '' },
      { Key: 'foo', Value: 'bar' },
    ]);
  });

  it("gives a multipart upload's x-amz-tagging to the completed object", async () => {
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'tags',
        Key: 'mp',
        Tagging: 'Hello=World&foo=bar',
      }),
    );
    const UploadId = created.UploadId!;
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'tags', Key: 'mp', UploadId, PartNumber: 1, Body: 'x' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'tags',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    expect(await tagsOf('mp')).toEqual([
      { Key: 'Hello', Value: 'World' },
      { Key: 'foo', Value: 'bar' },
    ]);
    const bad = s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'tags', Key: 'mp2', Tagging: 'aws:x=1' }),
    );
    expect(await s3ErrorOf(bad)).toEqual({ name: 'InvalidTag', status: 400 });
  });

  it('copies the source tags (COPY, the default) or takes x-amz-tagging (REPLACE)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'tags', Key: 'src', Body: 's', Tagging: 'a=1' }));
    const copy = (Key: string, extra: object) =>
      s3.send(new CopyObjectCommand({ Bucket: 'tags', Key, CopySource: 'tags/src', ...extra }));
    await copy('kept', {});
    expect(await tagsOf('kept')).toEqual([{ Key: 'a', Value: '1' }]);
    await copy('replaced', { TaggingDirective: 'REPLACE', Tagging: 'b=2' });
    expect(await tagsOf('replaced')).toEqual([{ Key: 'b', Value: '2' }]);
    await copy('cleared', { TaggingDirective: 'REPLACE' });
    expect(await tagsOf('cleared')).toEqual([]);
    const odd = raw('/tags/odd', {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/tags/src', 'x-amz-tagging-directive': 'MERGE' },
    });
    expect((await odd).status).toBe(400);
  });
});

describe('CopyObject: conditions on the target and a requested checksum', () => {
  it('If-None-Match: * refuses to replace an existing target (412)', async () => {
    await put('cond', 'copy-src', 'source');
    await put('cond', 'copy-dst', 'target');
    const refused = s3.send(
      new CopyObjectCommand({
        Bucket: 'cond',
        Key: 'copy-dst',
        CopySource: 'cond/copy-src',
        IfNoneMatch: '*',
      }),
    );
    expect(await s3ErrorOf(refused)).toEqual({ name: 'PreconditionFailed', status: 412 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cond', Key: 'copy-dst' }));
    expect(await got.Body?.transformToString()).toBe('target');
    const stale = s3.send(
      new CopyObjectCommand({
        Bucket: 'cond',
        Key: 'copy-dst',
        CopySource: 'cond/copy-src',
        IfMatch: '"00000000000000000000000000000000"',
      }),
    );
    expect(await s3ErrorOf(stale)).toEqual({ name: 'PreconditionFailed', status: 412 });
  });

  it('computes the x-amz-checksum-algorithm checksum of the copy', async () => {
    await put('cond', 'sum-src', 'checksum me');
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: 'cond',
        Key: 'sum-dst',
        CopySource: 'cond/sum-src',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const sha256 = createHash('sha256').update('checksum me').digest('base64');
    expect(copied.CopyObjectResult?.ChecksumSHA256).toBe(sha256);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'cond', Key: 'sum-dst', ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumSHA256).toBe(sha256);
  });
});

describe('conditional PUT', () => {
  it('If-None-Match: * creates once, then answers 412 and keeps the first object', async () => {
    const first = { Bucket: 'cond', Key: 'once', Body: 'first', IfNoneMatch: '*' };
    await s3.send(new PutObjectCommand(first));
    const again = s3.send(new PutObjectCommand({ ...first, Body: 'second' }));
    expect(await s3ErrorOf(again)).toEqual({ name: 'PreconditionFailed', status: 412 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cond', Key: 'once' }));
    expect(await got.Body?.transformToString()).toBe('first');
  });

  it('If-Match replaces only the expected version; NoSuchKey when missing', async () => {
    const { ETag } = await put('cond', 'cas', 'v1');
    const stale = '"00000000000000000000000000000000"';
    const wrong = s3.send(
      new PutObjectCommand({ Bucket: 'cond', Key: 'cas', Body: 'v2', IfMatch: stale }),
    );
    expect(await s3ErrorOf(wrong)).toEqual({ name: 'PreconditionFailed', status: 412 });
    await s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'cas', Body: 'v2', IfMatch: ETag }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cond', Key: 'cas' }));
    expect(await got.Body?.transformToString()).toBe('v2');
    const missing = s3.send(
      new PutObjectCommand({ Bucket: 'cond', Key: 'absent', Body: 'x', IfMatch: ETag }),
    );
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('lets only one of 8 concurrent If-None-Match: * PUTs of a new key fail late', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        s3.send(
          new PutObjectCommand({ Bucket: 'cond', Key: 'race', Body: `w${i}`, IfNoneMatch: '*' }),
        ),
      ),
    );
    // The check runs right before the commit; writers that read before any commit may all
    // pass (the documented race). What must hold: at least one wins, every loser is a 412.
    const won = results.filter((r) => r.status === 'fulfilled').length;
    expect(won).toBeGreaterThanOrEqual(1);
    for (const r of results) {
      if (r.status === 'rejected')
        expect((r.reason as S3ServiceException).name).toBe('PreconditionFailed');
    }
  });
});
