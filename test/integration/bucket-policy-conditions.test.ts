/**
 * Bucket-policy conditions against a real `cairn start`, driven as a client would: the
 * object's existing tags and the tags a request asks for, the copy source (however it is
 * spelt), the metadata directive, grant headers, the server-side-encryption headers (a
 * policy refusal wins over NotImplemented), IfExists, Null, dates and numbers, NotPrincipal,
 * a policy variable, and HEAD of a missing key under a prefix-limited ListBucket.
 */
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectTaggingCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { codeOf, createUser, type TestUser } from '../helpers/users.js';

let server: CairnProcess;
let owner: S3Client;
let alice: TestUser;
let ownerId: string;
useCairn({ buckets: ['cnd', 'cnd-src'] }, (started) => ({ server, s3: owner } = started));

beforeAll(async () => {
  alice = await createUser(server, 'alice-cnd@example.com');
  ownerId = (await owner.send(new ListBucketsCommand({}))).Owner!.ID!;
  const put = (Bucket: string, Key: string, Tagging?: string) =>
    owner.send(new PutObjectCommand({ Bucket, Key, Body: Key, ...(Tagging ? { Tagging } : {}) }));
  await put('cnd', 'publictag', 'security=public&foo=bar');
  await put('cnd', 'privatetag', 'security=private');
  await put('cnd', 'untagged');
  for (const key of ['public/a', 'private/b']) await put('cnd-src', key);
});

afterAll(() => alice?.s3.destroy());

/** Sets the policy of `bucket` to these statements (Principal "*" unless they say). */
function setPolicy(bucket: string, ...statements: object[]) {
  const Statement = statements.map((s) => ({ Effect: 'Allow', Principal: '*', ...s }));
  const Policy = JSON.stringify({ Version: '2012-10-17', Statement });
  return owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy }));
}

const objects = (bucket: string) => `arn:aws:s3:::${bucket}/*`;

describe('policy conditions: object tags', () => {
  const publicOnly = { StringEquals: { 's3:ExistingObjectTag/security': 'public' } };

  it('s3:ExistingObjectTag governs GetObject, GetObjectTagging and GetObjectAcl', async () => {
    for (const Action of ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectAcl']) {
      await setPolicy('cnd', { Action, Resource: objects('cnd'), Condition: publicOnly });
      const call = (Key: string) =>
        Action === 's3:GetObject'
          ? alice.s3.send(new GetObjectCommand({ Bucket: 'cnd', Key }))
          : Action === 's3:GetObjectTagging'
            ? alice.s3.send(new GetObjectTaggingCommand({ Bucket: 'cnd', Key }))
            : alice.s3.send(new GetObjectAclCommand({ Bucket: 'cnd', Key }));
      expect(await codeOf(call('publictag')), Action).toBe('ok');
      expect(await codeOf(call('privatetag')), Action).toBe('AccessDenied');
      expect(await codeOf(call('untagged')), Action).toBe('AccessDenied');
    }
  });

  it('PutObjectTagging tests the tags the object has, not the ones it asks for', async () => {
    await owner.send(
      new PutObjectCommand({ Bucket: 'cnd', Key: 'flip', Body: 'x', Tagging: 'security=public' }),
    );
    await setPolicy('cnd', {
      Action: 's3:PutObjectTagging',
      Resource: objects('cnd'),
      Condition: publicOnly,
    });
    const tag = (value: string) =>
      alice.s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'cnd',
          Key: 'flip',
          Tagging: { TagSet: [{ Key: 'security', Value: value }] },
        }),
      );
    expect(await codeOf(tag('private'))).toBe('ok'); // it was public
    expect(await codeOf(tag('public'))).toBe('AccessDenied'); // now it is private
    const now = await owner.send(new GetObjectTaggingCommand({ Bucket: 'cnd', Key: 'flip' }));
    expect(now.TagSet).toEqual([{ Key: 'security', Value: 'private' }]);
    const untag = alice.s3.send(new DeleteObjectTaggingCommand({ Bucket: 'cnd', Key: 'flip' }));
    expect(await codeOf(untag)).toBe('AccessDenied'); // the Allow names PutObjectTagging only
  });

  it('s3:RequestObjectTag and s3:RequestObjectTagKeys test the tags a write asks for', async () => {
    await setPolicy('cnd', {
      Action: ['s3:PutObject', 's3:PutObjectTagging'],
      Resource: objects('cnd'),
      Condition: {
        StringEquals: { 's3:RequestObjectTag/team': 'blue' },
        'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['team', 'env'] },
      },
    });
    const put = (Key: string, Tagging?: string) =>
      alice.s3.send(
        new PutObjectCommand({ Bucket: 'cnd', Key, Body: 'x', ...(Tagging ? { Tagging } : {}) }),
      );
    expect(await codeOf(put('t1', 'team=blue&env=dev'))).toBe('ok');
    expect(await codeOf(put('t2', 'team=red'))).toBe('AccessDenied');
    expect(await codeOf(put('t3', 'team=blue&secret=1'))).toBe('AccessDenied');
    expect(await codeOf(put('t4'))).toBe('AccessDenied');
    const retag = (Value: string) =>
      alice.s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'cnd',
          Key: 't1',
          Tagging: { TagSet: [{ Key: 'team', Value }] },
        }),
      );
    expect(await codeOf(retag('blue'))).toBe('ok');
    expect(await codeOf(retag('red'))).toBe('AccessDenied');
    const keys = (await owner.send(new ListObjectsCommand({ Bucket: 'cnd', Prefix: 't' })))
      .Contents;
    expect(keys?.map((c) => c.Key)).toEqual(['t1']);
  });
});

describe('policy conditions: copies, grants and encryption', () => {
  it('s3:x-amz-copy-source matches the source however the client spells it', async () => {
    await setPolicy('cnd-src', { Action: 's3:GetObject', Resource: objects('cnd-src') });
    await setPolicy('cnd', {
      Action: 's3:PutObject',
      Resource: objects('cnd'),
      Condition: { StringLike: { 's3:x-amz-copy-source': 'cnd-src/public/*' } },
    });
    const copy = (CopySource: string, Key = 'copied') =>
      alice.s3.send(new CopyObjectCommand({ Bucket: 'cnd', Key, CopySource }));
    expect(await codeOf(copy('cnd-src/public/a'))).toBe('ok');
    expect(await codeOf(copy('/cnd-src/public/a'))).toBe('ok');
    expect(await codeOf(copy('cnd-src/%70ublic/a'))).toBe('ok');
    expect(await codeOf(copy('cnd-src/private/b', 'stolen'))).toBe('AccessDenied');
    expect(await codeOf(copy('/cnd-src/%70rivate/b', 'stolen'))).toBe('AccessDenied');
    expect(await codeOf(owner.send(new HeadObjectCommand({ Bucket: 'cnd', Key: 'stolen' })))).toBe(
      'NotFound',
    );
  });

  it('s3:x-amz-metadata-directive and s3:x-amz-grant-full-control', async () => {
    await setPolicy('cnd', {
      Action: 's3:PutObject',
      Resource: objects('cnd'),
      Condition: { StringEquals: { 's3:x-amz-metadata-directive': 'COPY' } },
    });
    const copy = (directive?: 'COPY' | 'REPLACE') =>
      alice.s3.send(
        new CopyObjectCommand({
          Bucket: 'cnd',
          Key: 'meta',
          CopySource: 'cnd-src/public/a',
          ...(directive ? { MetadataDirective: directive } : {}),
        }),
      );
    expect(await codeOf(copy('COPY'))).toBe('ok');
    expect(await codeOf(copy('REPLACE'))).toBe('AccessDenied');
    expect(await codeOf(copy())).toBe('AccessDenied'); // absent: the key is not there
    await setPolicy('cnd', {
      Action: 's3:PutObject',
      Resource: objects('cnd'),
      Condition: { StringEquals: { 's3:x-amz-grant-full-control': `id=${ownerId}` } },
    });
    const put = (grant?: string) =>
      alice.s3.send(
        new PutObjectCommand({
          Bucket: 'cnd',
          Key: 'granted',
          Body: 'x',
          ...(grant ? { GrantFullControl: grant } : {}),
        }),
      );
    expect(await codeOf(put())).toBe('AccessDenied');
    expect(await codeOf(put(`id=${ownerId}`))).toBe('ok');
  });

  it('SSE: a policy’s Null or StringNotEquals refuses first; else NotImplemented', async () => {
    await setPolicy(
      'cnd',
      { Action: 's3:PutObject', Resource: objects('cnd') },
      {
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: objects('cnd'),
        Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
      },
      {
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: objects('cnd'),
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
      },
    );
    const put = (sse?: 'AES256' | 'aws:kms') =>
      s3ErrorOf(
        owner.send(
          new PutObjectCommand({
            Bucket: 'cnd',
            Key: 'enc',
            Body: 'x',
            ...(sse ? { ServerSideEncryption: sse } : {}),
          }),
        ),
      );
    expect(await put()).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await put('aws:kms')).toEqual({ name: 'AccessDenied', status: 403 });
    // Allowed by the policy, and SSE is not built: honest NotImplemented, nothing stored.
    expect(await put('AES256')).toEqual({ name: 'NotImplemented', status: 501 });
    expect(await codeOf(owner.send(new HeadObjectCommand({ Bucket: 'cnd', Key: 'enc' })))).toBe(
      'NotFound',
    );
    // CreateMultipartUpload too: it used to take the header and encrypt nothing.
    const upload = owner.send(
      new CreateMultipartUploadCommand({
        Bucket: 'cnd',
        Key: 'enc',
        ServerSideEncryption: 'AES256',
      }),
    );
    expect(await s3ErrorOf(upload)).toEqual({ name: 'NotImplemented', status: 501 });
  });
});

describe('policy conditions: requests', () => {
  const get = (headers: Record<string, string> = {}, key = 'untagged') =>
    signedFetch(server.url, `/cnd/${key}`, { credentials: alice.keys, headers });

  it('StringLikeIfExists passes a request without the key, tests one with it', async () => {
    await setPolicy('cnd', {
      Action: 's3:GetObject',
      Resource: objects('cnd'),
      Condition: { StringLikeIfExists: { 'aws:Referer': 'http://www.example.com/*' } },
    });
    expect((await get()).status).toBe(200);
    expect((await get({ referer: 'http://www.example.com/index.html' })).status).toBe(200);
    expect((await get({ referer: 'http://example.com' })).status).toBe(403);
  });

  it('dates, numbers and NotPrincipal', async () => {
    await setPolicy('cnd', {
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [objects('cnd'), 'arn:aws:s3:::cnd'],
      Condition: {
        DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
        NumericLessThanEquals: { 's3:max-keys': '10' },
      },
    });
    const list = (MaxKeys?: number) =>
      codeOf(
        alice.s3.send(new ListObjectsCommand({ Bucket: 'cnd', ...(MaxKeys ? { MaxKeys } : {}) })),
      );
    expect(await list(10)).toBe('ok');
    expect(await list(11)).toBe('AccessDenied');
    expect(await list()).toBe('AccessDenied'); // no max-keys: the key is absent
    expect((await get()).status).toBe(403); // s3:max-keys is absent on a GET: the Allow fails
    const notMe = {
      Effect: 'Deny',
      Principal: undefined,
      NotPrincipal: { AWS: `arn:aws:iam::${ownerId}:root` },
      Action: 's3:GetObject',
      Resource: objects('cnd'),
    };
    await setPolicy('cnd', { Action: 's3:GetObject', Resource: objects('cnd') }, notMe);
    expect((await get()).status).toBe(403);
    expect(await codeOf(owner.send(new GetObjectCommand({ Bucket: 'cnd', Key: 'untagged' })))).toBe(
      'ok',
    );
  });

  it('refuses Allow with NotPrincipal (MalformedPolicy) and keeps the old policy', async () => {
    await setPolicy('cnd', { Action: 's3:GetObject', Resource: objects('cnd') });
    const before = await owner.send(new GetBucketPolicyCommand({ Bucket: 'cnd' }));
    const bad = setPolicy('cnd', {
      NotPrincipal: { AWS: 'arn:aws:iam::s3tenant1:root' },
      Principal: undefined,
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::cnd',
    });
    expect(await s3ErrorOf(bad)).toEqual({ name: 'MalformedPolicy', status: 400 });
    const after = await owner.send(new GetBucketPolicyCommand({ Bucket: 'cnd' }));
    expect(after.Policy).toBe(before.Policy);
  });

  it('a ${aws:userid} Resource gives each user a home', async () => {
    await setPolicy('cnd', {
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::cnd/home/${aws:userid}/*',
    });
    const put = (Key: string) =>
      codeOf(alice.s3.send(new PutObjectCommand({ Bucket: 'cnd', Key, Body: 'x' })));
    expect(await put(`home/${alice.id}/file`)).toBe('ok');
    expect(await put(`home/${ownerId}/file`)).toBe('AccessDenied');
    expect(await put('home/${aws:userid}/file')).toBe('AccessDenied');
  });

  it('HEAD of a missing key: 404 where the caller may list that prefix, else 403', async () => {
    await setPolicy('cnd', {
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::cnd',
      Condition: { StringLike: { 's3:prefix': 'public/*' } },
    });
    const head = (Key: string) =>
      s3ErrorOf(alice.s3.send(new HeadObjectCommand({ Bucket: 'cnd', Key })));
    expect((await head('public/missing')).status).toBe(404);
    expect((await head('private/missing')).status).toBe(403);
  });
});
