/**
 * The embedded store through @aws-sdk/client-s3 at its default settings (checksums on):
 * buckets, objects, ranges, metadata, listings and S3's error codes, against a real
 * `cairn start` process.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { createUser } from '../helpers/users.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: [] }, (started) => ({ server, s3 } = started));

describe('buckets', () => {
  it('lists no buckets for a new user, then the created ones in name order', async () => {
    const before = await s3.send(new ListBucketsCommand({}));
    expect(before.Buckets ?? []).toEqual([]);
    await s3.send(new CreateBucketCommand({ Bucket: 'zeta-bucket' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'alpha-bucket' }));
    const after = await s3.send(new ListBucketsCommand({}));
    expect(after.Buckets?.map((b) => b.Name)).toEqual(['alpha-bucket', 'zeta-bucket']);
    expect(after.Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
  });

  it('answers an owner’s second create 200, changing nothing; refuses invalid names', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    await s3.send(new PutObjectCommand({ Bucket: 'twice', Key: 'kept', Body: 'kept' }));
    // S3's legacy us-east-1 answer (BucketAlreadyOwnedByYou elsewhere: acl-clients.test.ts).
    const again = await s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    const kept = await s3.send(new ListObjectsV2Command({ Bucket: 'twice' }));
    expect(kept.Contents?.map((o) => o.Key)).toEqual(['kept']);
    for (const bad of ['ab', 'Upper', 'under_score', '192.168.1.1', 'a..b', '-dash']) {
      const error = await s3ErrorOf(s3.send(new CreateBucketCommand({ Bucket: bad })));
      expect(error.status, bad).toBe(400);
    }
  });

  it('answers HeadBucket and refuses to delete a bucket that holds objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'full' }));
    const missing = await s3ErrorOf(s3.send(new HeadBucketCommand({ Bucket: 'no-such' })));
    expect(missing.status).toBe(404);
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'k', Body: 'x' }));
    const notEmpty = await s3ErrorOf(s3.send(new DeleteBucketCommand({ Bucket: 'full' })));
    expect(notEmpty).toEqual({ name: 'BucketNotEmpty', status: 409 });
    await s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'full' }));
    const gone = await s3ErrorOf(s3.send(new HeadBucketCommand({ Bucket: 'full' })));
    expect(gone.status).toBe(404);
  });

  it('refuses a location constraint other than its region; accepts its own', async () => {
    const elsewhere = await s3ErrorOf(
      s3.send(
        new CreateBucketCommand({
          Bucket: 'in-eu',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    expect(elsewhere).toEqual({ name: 'IllegalLocationConstraintException', status: 400 });
    const head = await s3ErrorOf(s3.send(new HeadBucketCommand({ Bucket: 'in-eu' })));
    expect(head.status).toBe(404);
    // The SDK's BucketLocationConstraint type has no 'us-east-1'; boto3 sends what it is given.
    const here = await signedFetch(server.url, '/in-us', {
      method: 'PUT',
      body:
        '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
      credentials: server,
    });
    expect(here.status).toBe(200);
    await s3.send(new HeadBucketCommand({ Bucket: 'in-us' }));
  });

  it('gives a re-created bucket none of the old objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    await s3.send(new PutObjectCommand({ Bucket: 'reborn', Key: 'old', Body: 'old' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'reborn', Key: 'old' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'reborn' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'reborn' }));
    expect(list.KeyCount).toBe(0);
  });
});

describe('ListBuckets parameters', () => {
  it('filters by prefix and region; pages with max-buckets and continuation tokens', async () => {
    for (const name of ['page-c', 'page-a', 'page-b']) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    }
    const names = (r: { Buckets?: { Name?: string }[] }) => r.Buckets?.map((b) => b.Name) ?? [];
    const first = await s3.send(new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2 }));
    expect(names(first)).toEqual(['page-a', 'page-b']);
    expect(first.Prefix).toBe('page-');
    expect(first.Buckets?.[0]?.BucketRegion).toBe('us-east-1');
    const second = await s3.send(
      new ListBucketsCommand({
        Prefix: 'page-',
        MaxBuckets: 2,
        ContinuationToken: first.ContinuationToken!,
      }),
    );
    expect(names(second)).toEqual(['page-c']);
    expect(second.ContinuationToken).toBeUndefined();
    const elsewhere = await s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));
    expect(names(elsewhere)).toEqual([]);
    const bad = s3.send(new ListBucketsCommand({ MaxBuckets: 0 }));
    expect(await s3ErrorOf(bad)).toEqual({ name: 'InvalidArgument', status: 400 });
  });
});

describe('concurrency', () => {
  it('gives a name one owner among 50 concurrent creates by two users', async () => {
    const other = await createUser(server, 'contender@example.com');
    const clients = [s3, other.s3];
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        clients[i % 2]!.send(new CreateBucketCommand({ Bucket: 'contended' })),
      ),
    );
    other.s3.destroy();
    // Every success is one user's (its own re-creates answer 200); the other's all fail.
    const winners = new Set(results.flatMap((r, i) => (r.status === 'fulfilled' ? [i % 2] : [])));
    expect(winners.size).toBe(1);
    results.forEach((r, i) => {
      const won = winners.has(i % 2);
      expect(r.status).toBe(won ? 'fulfilled' : 'rejected');
      if (r.status === 'rejected') expect((r.reason as Error).name).toBe('BucketAlreadyExists');
    });
  });

  it('leaves one whole object after 20 concurrent overwrites of a key', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'overwrites' }));
    const bodies = Array.from({ length: 20 }, (_, i) => Buffer.alloc(300_000 + i, i));
    await Promise.all(
      bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: 'overwrites', Key: 'k', Body }))),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'overwrites', Key: 'k' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    const winner = bodies.find((b) => b.equals(bytes));
    expect(winner).toBeDefined();
    expect(got.ETag).toBe(`"${createHash('md5').update(winner!).digest('hex')}"`);
  });
});

describe('objects', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
  });

  it('round-trips bytes, ETag, metadata and standard headers', async () => {
    const body = Buffer.from('Object from first key');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'dir/first key+ü',
        Body: body,
        ContentType: 'text/plain',
        Metadata: { colour: 'blue' },
        CacheControl: 'max-age=60',
        ContentDisposition: 'inline',
      }),
    );
    const md5 = createHash('md5').update(body).digest('hex');
    expect(put.ETag).toBe(`"${md5}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/first key+ü' }));
    expect(await got.Body!.transformToString()).toBe('Object from first key');
    expect(got.ETag).toBe(`"${md5}"`);
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ colour: 'blue' });
    expect(got.CacheControl).toBe('max-age=60');
    expect(got.ContentLength).toBe(body.length);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'objects', Key: 'dir/first key+ü' }),
    );
    expect(head.ContentLength).toBe(body.length);
    expect(head.LastModified).toBeInstanceOf(Date);
  });

  it('serves every Range form and 416 past the end', async () => {
    const body = Buffer.from('0123456789');
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'digits', Body: body }));
    const range = async (r: string) => {
      const got = await s3.send(
        new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: r }),
      );
      return { text: await got.Body!.transformToString(), contentRange: got.ContentRange };
    };
    expect(await range('bytes=2-4')).toEqual({ text: '234', contentRange: 'bytes 2-4/10' });
    expect(await range('bytes=7-')).toEqual({ text: '789', contentRange: 'bytes 7-9/10' });
    expect(await range('bytes=-3')).toEqual({ text: '789', contentRange: 'bytes 7-9/10' });
    expect(await range('bytes=5-100')).toEqual({ text: '56789', contentRange: 'bytes 5-9/10' });
    const past = await s3ErrorOf(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: 'bytes=10-' })),
    );
    expect(past).toEqual({ name: 'InvalidRange', status: 416 });
  });

  it('streams an object larger than one block back byte for byte', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 12345);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 11)) & 0xff;
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'multi-block', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'multi-block' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.equals(body)).toBe(true);
    const mid = await s3.send(
      new GetObjectCommand({
        Bucket: 'objects',
        Key: 'multi-block',
        Range: 'bytes=1048570-2097160',
      }),
    );
    const slice = Buffer.from(await mid.Body!.transformToByteArray());
    expect(slice.equals(body.subarray(1048570, 2097161))).toBe(true);
  });

  it('keeps the old object when Content-MD5 does not match (BadDigest)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'kept', Body: 'original' }));
    const wrongMd5 = createHash('md5').update('something else').digest('base64');
    const error = await s3ErrorOf(
      s3.send(
        new PutObjectCommand({
          Bucket: 'objects',
          Key: 'kept',
          Body: 'replacement',
          ContentMD5: wrongMd5,
        }),
      ),
    );
    expect(error).toEqual({ name: 'BadDigest', status: 400 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'kept' }));
    expect(await got.Body!.transformToString()).toBe('original');
  });

  it('answers NoSuchKey for a missing key and 204 for deleting one', async () => {
    const missing = await s3ErrorOf(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'never-written' })),
    );
    expect(missing).toEqual({ name: 'NoSuchKey', status: 404 });
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'never' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });

  it('says a missing key is no delete marker, and has no torrent (NoSuchKey)', async () => {
    const head = await signedFetch(server.url, '/objects/never-there', {
      method: 'HEAD',
      credentials: server,
    });
    expect(head.status).toBe(404);
    expect(head.headers.get('x-amz-delete-marker')).toBe('false');
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'seed', Body: 'x' }));
    const torrent = await signedFetch(server.url, '/objects/seed?torrent', { credentials: server });
    expect(torrent.status).toBe(404);
    expect(await torrent.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('stores zero-byte objects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'empty/', Body: '' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'empty/' }));
    expect(await got.Body!.transformToString()).toBe('');
    expect(got.ContentLength).toBe(0);
  });
});

describe('listing', () => {
  const keys = ['a/1', 'a/2', 'b/1', 'b/c/1', 'c', 'd e', 'd+f'];
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));
    }
  });

  it('lists keys in order with prefix and delimiter (V2)', async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'listing' }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(keys);
    const rolled = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(rolled.Contents?.map((c) => c.Key)).toEqual(['c', 'd e', 'd+f']);
    const underB = await s3.send(
      new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'b/', Delimiter: '/' }),
    );
    expect(underB.Contents?.map((c) => c.Key)).toEqual(['b/1']);
    expect(underB.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/c/']);
  });

  it('pages with continuation tokens and start-after (V2)', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: 'listing',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      if (token) expect(page.IsTruncated).toBe(true);
    } while (token);
    expect(seen).toEqual(keys);
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'b/c/1' }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual(['c', 'd e', 'd+f']);
  });

  it('pages with markers and delimiters (V1), skipping whole common prefixes', async () => {
    const page1 = await s3.send(
      new ListObjectsCommand({
        Bucket: 'listing',
        Delimiter: '/',
        MaxKeys: 1,
      }),
    );
    expect(page1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/']);
    expect(page1.IsTruncated).toBe(true);
    expect(page1.NextMarker).toBe('a/');
    const page2 = await s3.send(
      new ListObjectsCommand({
        Bucket: 'listing',
        Delimiter: '/',
        MaxKeys: 2,
        Marker: page1.NextMarker,
      }),
    );
    expect(page2.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/']);
    expect(page2.Contents?.map((c) => c.Key)).toEqual(['c']);
  });

  it('url-encodes keys with encoding-type=url', async () => {
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'd' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['d e', 'd+f']);
    const res = await signedFetch(server.url, '/listing?encoding-type=url&prefix=d', {
      credentials: server,
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain('<Key>d%20e</Key>');
    expect(xml).toContain('<Key>d%2Bf</Key>');
    expect(xml).toContain('<EncodingType>url</EncodingType>');
  });
});

describe('authentication', () => {
  it('refuses an unknown key, a wrong secret and anonymous requests', async () => {
    const unknown = s3Client(server, { keyId: 'AKIAUNKNOWNUNKNOWN00', secret: 'x'.repeat(40) });
    const unknownError = await s3ErrorOf(unknown.send(new ListBucketsCommand({})));
    expect(unknownError).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    const wrong = s3Client(server, { keyId: server.keyId, secret: 'y'.repeat(40) });
    const wrongError = await s3ErrorOf(wrong.send(new ListBucketsCommand({})));
    expect(wrongError).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    const anonymous = await fetch(`${server.url}/`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
    unknown.destroy();
    wrong.destroy();
  });

  it('refuses a request signed 20 minutes off (RequestTimeTooSkewed)', async () => {
    const skewed = await signedFetch(server.url, '/', {
      credentials: server,
      nowMs: Date.now() - 20 * 60_000,
    });
    expect(skewed.status).toBe(403);
    expect(await skewed.text()).toContain('<Code>RequestTimeTooSkewed</Code>');
    const fine = await signedFetch(server.url, '/', { credentials: server });
    expect(fine.status).toBe(200);
  });
});
