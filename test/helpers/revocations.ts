/**
 * Revocations that must bite on the very next request, whichever front end it reaches: a
 * bucket policy Deny, a bucket ACL from public-read to private, a user disabled, a key
 * rotated, a bucket deleted and created again by another owner. Each scenario warms every
 * front end's cache with two allowed requests, makes the change through one front end, and
 * then sends exactly one request to each front end, which must be refused. Used by the
 * embedded store's test (one front end) and the cluster's (two `cairn s3` processes).
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { codeOf } from './s3-errors.js';
import { signedFetch } from './signed-fetch.js';

type Keys = { keyId: string; secret: string };

/** Where the changes go and where requests are checked, with the admin's keys. */
export interface RevocationWorld {
  /** The front end that takes every change. */
  mutateUrl: string;
  /** Every front end to check, the changing one included. */
  checkUrls: string[];
  admin: Keys;
}

function client(url: string, keys: Keys): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: keys.keyId, secretAccessKey: keys.secret },
  });
}

async function adminCall(w: RevocationWorld, method: string, path: string, body: object) {
  const res = await signedFetch(w.mutateUrl, path, {
    method,
    credentials: w.admin,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, string>;
}

async function newUser(w: RevocationWorld, name: string) {
  const email = `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@x.io`;
  const user = await adminCall(w, 'POST', '/riak-cs/user', { email, name });
  return { id: user['id']!, keys: { keyId: user['key_id']!, secret: user['key_secret']! } };
}

const uniqueName = (stem: string) => `${stem}-${Math.random().toString(36).slice(2, 10)}`;

/** Sends `attempt` to every front end `times` times; returns each answer's code. */
async function everywhere(
  w: RevocationWorld,
  attempt: (url: string) => Promise<string>,
  times = 1,
): Promise<string[]> {
  const codes: string[] = [];
  for (const url of w.checkUrls) {
    for (let i = 0; i < times; i++) codes.push(await attempt(url));
  }
  return codes;
}

const anonymousList = async (url: string, bucket: string) => {
  const res = await fetch(`${url}/${bucket}?list-type=2`);
  await res.arrayBuffer();
  return res.status === 200 ? 'ok' : String(res.status);
};

async function policyDeny(w: RevocationWorld): Promise<void> {
  const owner = await newUser(w, 'owner');
  const bucket = uniqueName('deny');
  const s3 = client(w.mutateUrl, owner.keys);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
  const statement = (effect: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: effect,
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
      ],
    });
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: statement('Allow') }));
  const get = (url: string) =>
    codeOf(client(url, owner.keys).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })));
  expect(await everywhere(w, get, 2)).toEqual(w.checkUrls.flatMap(() => ['ok', 'ok']));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: statement('Deny') }));
  expect(await everywhere(w, get)).toEqual(w.checkUrls.map(() => 'AccessDenied'));
}

async function aclToPrivate(w: RevocationWorld): Promise<void> {
  const owner = await newUser(w, 'acl');
  const bucket = uniqueName('acl');
  const s3 = client(w.mutateUrl, owner.keys);
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ACL: 'public-read' }));
  const list = (url: string) => anonymousList(url, bucket);
  expect(await everywhere(w, list, 2)).toEqual(w.checkUrls.flatMap(() => ['ok', 'ok']));
  await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
  expect(await everywhere(w, list)).toEqual(w.checkUrls.map(() => '403'));
}

async function userDisabled(w: RevocationWorld): Promise<void> {
  const user = await newUser(w, 'disabled');
  const list = (url: string) =>
    codeOf(client(url, user.keys).send(new ListObjectsV2Command({ Bucket: 'none-such-bucket' })));
  expect(await everywhere(w, list, 2)).toEqual(
    w.checkUrls.flatMap(() => ['NoSuchBucket', 'NoSuchBucket']),
  );
  await adminCall(w, 'PUT', `/riak-cs/user/${user.keys.keyId}`, { status: 'disabled' });
  expect(await everywhere(w, list)).toEqual(w.checkUrls.map(() => 'AccessDenied'));
}

async function keyRotated(w: RevocationWorld): Promise<void> {
  const user = await newUser(w, 'rekey');
  const bucket = uniqueName('rekey');
  await client(w.mutateUrl, user.keys).send(new CreateBucketCommand({ Bucket: bucket }));
  const listAs = (keys: Keys) => (url: string) =>
    codeOf(client(url, keys).send(new ListObjectsV2Command({ Bucket: bucket })));
  expect(await everywhere(w, listAs(user.keys), 2)).toEqual(
    w.checkUrls.flatMap(() => ['ok', 'ok']),
  );
  const rotated = await adminCall(w, 'PUT', `/riak-cs/user/${user.keys.keyId}`, {
    new_key_secret: true,
  });
  const fresh = { keyId: user.keys.keyId, secret: rotated['key_secret']! };
  expect(fresh.secret).not.toBe(user.keys.secret);
  expect(await everywhere(w, listAs(user.keys))).toEqual(
    w.checkUrls.map(() => 'SignatureDoesNotMatch'),
  );
  expect(await everywhere(w, listAs(fresh))).toEqual(w.checkUrls.map(() => 'ok'));
}

async function bucketRecreated(w: RevocationWorld): Promise<void> {
  const first = await newUser(w, 'first');
  const second = await newUser(w, 'second');
  const bucket = uniqueName('moved');
  await client(w.mutateUrl, first.keys).send(new CreateBucketCommand({ Bucket: bucket }));
  const put = (url: string) =>
    codeOf(
      client(url, first.keys).send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
    );
  expect(await everywhere(w, put, 2)).toEqual(w.checkUrls.flatMap(() => ['ok', 'ok']));
  const s3 = client(w.mutateUrl, first.keys);
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  await client(w.mutateUrl, second.keys).send(new CreateBucketCommand({ Bucket: bucket }));
  expect(await everywhere(w, put)).toEqual(w.checkUrls.map(() => 'AccessDenied'));
}

/** Registers the revocation scenarios; `world` is called once the servers are up. */
export function revocationTests(world: () => RevocationWorld, timeoutMs: number): void {
  const scenarios: Array<[string, (w: RevocationWorld) => Promise<void>]> = [
    ['a bucket policy Deny refuses the next GET', policyDeny],
    ['a bucket ACL from public-read to private refuses the next anonymous listing', aclToPrivate],
    ['a disabled user is refused on its next request', userDisabled],
    ['a rotated key: the old secret is refused on the next request, the new one works', keyRotated],
    [
      'a bucket deleted and created again by another owner refuses the first owner',
      bucketRecreated,
    ],
  ];
  for (const [title, scenario] of scenarios) it(title, () => scenario(world()), timeoutMs);
}
