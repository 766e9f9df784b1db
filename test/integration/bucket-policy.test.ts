/**
 * Bucket policies against a real `cairn start`: Get/Put/DeleteBucketPolicy through the SDK,
 * anonymous reads and writes on a prefix, an explicit Deny that beats an ACL grant, the
 * aws:SourceIp, aws:SecureTransport and s3:prefix conditions, the owner who can never be
 * locked out, and malformed policies refused without changing anything.
 */
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { codeOf, createUser, type TestUser } from '../helpers/users.js';

let server: CairnProcess;
let owner: S3Client;
let alice: TestUser;
let bob: TestUser;
useCairn({ buckets: ['pol'] }, (started) => ({ server, s3: owner } = started));

const BUCKET_ARN = 'arn:aws:s3:::pol';

beforeAll(async () => {
  alice = await createUser(server, 'alice@example.com');
  bob = await createUser(server, 'bob@example.com');
  for (const key of ['public/a.txt', 'private/b.txt', 'home/alice/1', 'home/bob/2']) {
    await owner.send(new PutObjectCommand({ Bucket: 'pol', Key: key, Body: key }));
  }
});

afterAll(() => {
  alice?.s3.destroy();
  bob?.s3.destroy();
});

function policyOf(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function setPolicy(policy: string, client: S3Client = owner) {
  return client.send(new PutBucketPolicyCommand({ Bucket: 'pol', Policy: policy }));
}

async function currentPolicy(): Promise<string | undefined> {
  try {
    return (await owner.send(new GetBucketPolicyCommand({ Bucket: 'pol' }))).Policy;
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucketPolicy') return undefined;
    throw error;
  }
}

async function anon(method: string, path: string, body?: string) {
  const res = await fetch(`${server.url}${path}`, { method, ...(body ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

function get(client: S3Client, key: string) {
  return client.send(new GetObjectCommand({ Bucket: 'pol', Key: key }));
}

const publicRead = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/public/*`,
};

describe('bucket policy: storage', () => {
  it('NoSuchBucketPolicy until one is set; returned as sent; deleted', async () => {
    const missing = await signedFetch(server.url, '/pol?policy', { credentials: server });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchBucketPolicy</Code>');
    const text = policyOf(publicRead);
    await setPolicy(text);
    expect(await currentPolicy()).toBe(text);
    await owner.send(new DeleteBucketPolicyCommand({ Bucket: 'pol' }));
    expect(await currentPolicy()).toBeUndefined();
    // Deleting none is fine, as in S3.
    await owner.send(new DeleteBucketPolicyCommand({ Bucket: 'pol' }));
  });

  it('refuses malformed policies with MalformedPolicy and keeps the old one', async () => {
    const kept = policyOf(publicRead);
    await setPolicy(kept);
    const bad = [
      '{"Version": "2012-10-17", "Statement": [',
      policyOf({ ...publicRead, Effect: 'Perhaps' }),
      policyOf({ ...publicRead, Resource: 'arn:aws:s3:::someone-elses/*' }),
      policyOf({ ...publicRead, Condition: { StringSimilar: { 's3:prefix': 'a' } } }),
      policyOf({ ...publicRead, Sid: 'x'.repeat(21 * 1024) }),
      policyOf({ ...publicRead, Sid: 'x'.repeat(200 * 1024) }),
      '',
    ];
    for (const policy of bad) {
      const res = await signedFetch(server.url, '/pol?policy', {
        method: 'PUT',
        body: policy,
        credentials: server,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('<Code>MalformedPolicy</Code>');
    }
    expect(await currentPolicy()).toBe(kept);
  });

  it('lets nobody but the owner read, set or delete it, whatever it allows', async () => {
    const everything = {
      ...publicRead,
      Action: 's3:*',
      Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
      Principal: { AWS: alice.id },
    };
    const text = policyOf(everything);
    await setPolicy(text);
    expect(await codeOf(alice.s3.send(new GetBucketPolicyCommand({ Bucket: 'pol' })))).toBe(
      'AccessDenied',
    );
    expect(await codeOf(setPolicy(policyOf(publicRead), alice.s3))).toBe('AccessDenied');
    const del = alice.s3.send(new DeleteBucketPolicyCommand({ Bucket: 'pol' }));
    expect(await codeOf(del)).toBe('AccessDenied');
    expect((await anon('DELETE', '/pol?policy')).status).toBe(403);
    expect(await currentPolicy()).toBe(text);
    // What the policy does allow, it allows: alice lists and reads.
    expect(await codeOf(alice.s3.send(new ListObjectsV2Command({ Bucket: 'pol' })))).toBe('ok');
  });

  it('never locks the owner out of the policy, though a Deny binds it elsewhere', async () => {
    const denyAll = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
    };
    await setPolicy(policyOf(denyAll));
    expect(await codeOf(owner.send(new ListObjectsV2Command({ Bucket: 'pol' })))).toBe(
      'AccessDenied',
    );
    expect(await currentPolicy()).toBe(policyOf(denyAll));
    await owner.send(new DeleteBucketPolicyCommand({ Bucket: 'pol' }));
    expect(await codeOf(owner.send(new ListObjectsV2Command({ Bucket: 'pol' })))).toBe('ok');
  });
});

describe('bucket policy: enforcement', () => {
  it('allows anonymous GetObject on a prefix, and nothing else', async () => {
    await setPolicy(policyOf(publicRead));
    const read = await anon('GET', '/pol/public/a.txt');
    expect(read).toEqual({ status: 200, text: 'public/a.txt' });
    expect((await anon('GET', '/pol/private/b.txt')).status).toBe(403);
    expect((await anon('GET', '/pol?list-type=2')).status).toBe(403);
    expect((await anon('PUT', '/pol/public/new', 'x')).status).toBe(403);
    expect(await codeOf(get(alice.s3, 'public/a.txt'))).toBe('ok'); // "*" is everyone
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: 'pol', Prefix: 'public/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['public/a.txt']);
  });

  it('allows anonymous PutObject on a prefix only; refused writes store nothing', async () => {
    const drop = { ...publicRead, Action: 's3:PutObject', Resource: `${BUCKET_ARN}/uploads/*` };
    await setPolicy(policyOf(drop));
    expect((await anon('PUT', '/pol/uploads/dropped', 'dropped')).status).toBe(200);
    expect((await anon('PUT', '/pol/elsewhere', 'x')).status).toBe(403);
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: 'pol' }));
    const keys = listed.Contents?.map((c) => c.Key);
    expect(keys).toContain('uploads/dropped');
    expect(keys).not.toContain('elsewhere');
    expect(await codeOf(get(owner, 'uploads/dropped'))).toBe('ok'); // owned by the bucket owner
  });

  it('an explicit Deny beats an ACL grant', async () => {
    const acl = await signedFetch(server.url, '/pol/private/b.txt?acl', {
      method: 'PUT',
      headers: { 'x-amz-grant-read': `id="${alice.id}", id="${bob.id}"` },
      credentials: server,
    });
    expect(acl.status).toBe(200);
    expect(await codeOf(get(alice.s3, 'private/b.txt'))).toBe('ok');
    const deny = {
      Effect: 'Deny',
      Principal: { AWS: `arn:aws:iam::${alice.id}:root` },
      Action: 's3:Get*',
      Resource: `${BUCKET_ARN}/*`,
    };
    await setPolicy(policyOf(deny));
    expect(await codeOf(get(alice.s3, 'private/b.txt'))).toBe('AccessDenied');
    expect(await codeOf(get(bob.s3, 'private/b.txt'))).toBe('ok');
  });

  it('tests aws:SourceIp: 127.0.0.1/32 allows, 10.0.0.0/8 does not', async () => {
    const from = (cidr: string) =>
      policyOf({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': cidr } } });
    await setPolicy(from('127.0.0.1/32'));
    expect((await anon('GET', '/pol/public/a.txt')).status).toBe(200);
    await setPolicy(from('10.0.0.0/8'));
    expect((await anon('GET', '/pol/public/a.txt')).status).toBe(403);
    const notTen = { ...publicRead, Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
    await setPolicy(policyOf(notTen));
    expect((await anon('GET', '/pol/public/a.txt')).status).toBe(200);
  });

  it('tests aws:SecureTransport: plain HTTP is SecureTransport false', async () => {
    const over = (secure: string) =>
      policyOf({ ...publicRead, Condition: { Bool: { 'aws:SecureTransport': secure } } });
    await setPolicy(over('false'));
    expect((await anon('GET', '/pol/public/a.txt')).status).toBe(200);
    await setPolicy(over('true'));
    expect((await anon('GET', '/pol/public/a.txt')).status).toBe(403);
  });

  it('tests s3:prefix on ListBucket', async () => {
    const homes = {
      Effect: 'Allow',
      Principal: { AWS: alice.id },
      Action: 's3:ListBucket',
      Resource: BUCKET_ARN,
      Condition: { StringLike: { 's3:prefix': ['home/alice/*', 'home/alice/'] } },
    };
    await setPolicy(policyOf(homes));
    const list = (prefix?: string) =>
      codeOf(
        alice.s3.send(
          new ListObjectsV2Command({ Bucket: 'pol', ...(prefix ? { Prefix: prefix } : {}) }),
        ),
      );
    expect(await list('home/alice/')).toBe('ok');
    expect(await list('home/bob/')).toBe('AccessDenied');
    expect(await list()).toBe('AccessDenied');
    expect(await codeOf(get(alice.s3, 'home/alice/1'))).toBe('AccessDenied'); // listing only
  });
});
