/**
 * Quotas against a real `cairn start`: `cairn-admin quota` and the admin API set, show and
 * clear them; PUT, CopyObject, UploadPart and CompleteMultipartUpload past a bucket's or a
 * user's quota answer 403 QuotaExceeded (AWS SDK v3 and boto3, PostObject included) and
 * store nothing; overwrites count the difference and deletes free space; bad values and
 * unknown users or buckets are refused with clear errors, nothing changed.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';
import { createUser, type TestUser } from '../helpers/users.js';

const run = promisify(execFile);
let server: CairnProcess;
let s3: S3Client;
useCairn(
  {
    buckets: ['quota-b', 'quota-m', 'qboto'],
    env: { CAIRN_USAGE_FLUSH_SECONDS: '1', CAIRN_ENFORCE_MULTIPART_PART_SIZE: 'off' },
  },
  (started) => ({ server, s3 } = started),
);

/** Runs cairn-admin against the server; rejects (with its stderr) on a non-zero exit. */
function admin(...args: string[]) {
  const env = { ...process.env, CAIRN_URL: server.url };
  return run(process.execPath, [ADMIN_JS, '--data-dir', server.dataDir, ...args], {
    env,
    timeout: 30_000,
  });
}

async function api(method: string, path: string, body?: string, as?: TestUser) {
  const res = await signedFetch(server.url, path, {
    method,
    credentials: as ? as.keys : server,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const put = (bucket: string, key: string, bytes: number, client = s3) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(bytes, 7) }));

async function keysOf(bucket: string, client = s3) {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => `${o.Key}:${o.Size}`).sort();
}

describe('quotas: a bucket', () => {
  it('cairn-admin quota set and show, in sizes with units', async () => {
    const set = await admin('quota', 'set', '--bucket', 'quota-b', '--max-bytes', '1KiB');
    expect(set.stdout).toContain('max bytes   : 1.0 KiB (1024 bytes)');
    const shown = await admin('quota', 'show', '--bucket', 'quota-b', '--json');
    expect(JSON.parse(shown.stdout)).toEqual({
      bucket: 'quota-b',
      max_bytes: 1024,
      max_objects: null,
      usage: { bytes: 0, objects: 0 },
    });
  });

  it('PUT past the byte quota: 403 QuotaExceeded, nothing stored', async () => {
    await put('quota-b', 'a', 600);
    expect(await s3ErrorOf(put('quota-b', 'b', 600))).toEqual({
      name: 'QuotaExceeded',
      status: 403,
    });
    expect(await keysOf('quota-b')).toEqual(['a:600']);
  });

  it('an overwrite counts the difference; a delete frees space', async () => {
    await put('quota-b', 'a', 1000); // 400 more: 1000 in all
    expect((await s3ErrorOf(put('quota-b', 'a', 1025))).name).toBe('QuotaExceeded');
    expect((await s3ErrorOf(put('quota-b', 'z', 25))).name).toBe('QuotaExceeded');
    await put('quota-b', 'z', 24);
    await s3.send(new DeleteObjectCommand({ Bucket: 'quota-b', Key: 'a' }));
    await put('quota-b', 'b', 1000);
    expect(await keysOf('quota-b')).toEqual(['b:1000', 'z:24']);
  });

  it('CopyObject and the object limit', async () => {
    await admin('quota', 'set', '--bucket', 'quota-b', '--max-bytes', 'none', '--max-objects', '3');
    const copy = (key: string) =>
      s3.send(new CopyObjectCommand({ Bucket: 'quota-b', Key: key, CopySource: 'quota-b/b' }));
    await copy('c'); // a third object
    expect(await s3ErrorOf(copy('d'))).toEqual({ name: 'QuotaExceeded', status: 403 });
    await copy('z'); // an overwrite adds no object
    expect(await keysOf('quota-b')).toEqual(['b:1000', 'c:1000', 'z:1000']);
    const shown = await admin('quota', 'show', '--bucket', 'quota-b');
    expect(shown.stdout).toContain('max objects : 3');
    expect(shown.stdout).toContain('in use      : 2.9 KiB in 3 objects');
  });

  it('multipart: a part past the byte quota, a Complete past the object quota', async () => {
    await admin('quota', 'set', '--bucket', 'quota-m', '--max-bytes', '4096', '--max-objects', '1');
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'quota-m', Key: 'm' }),
    );
    const part = (n: number, bytes: number) =>
      s3.send(
        new UploadPartCommand({
          Bucket: 'quota-m',
          Key: 'm',
          UploadId,
          PartNumber: n,
          Body: Buffer.alloc(bytes, n),
        }),
      );
    expect(await s3ErrorOf(part(1, 5000))).toEqual({ name: 'QuotaExceeded', status: 403 });
    const one = await part(1, 3000);
    await put('quota-m', 'other', 10); // the one object the quota allows
    const complete = () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'quota-m',
          Key: 'm',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }] },
        }),
      );
    expect(await s3ErrorOf(complete())).toEqual({ name: 'QuotaExceeded', status: 403 });
    expect(await keysOf('quota-m')).toEqual(['other:10']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'quota-m', Key: 'other' }));
    await complete(); // the upload was kept: once there is room it completes
    expect(await keysOf('quota-m')).toEqual(['m:3000']);
    await admin('quota', 'clear', '--bucket', 'quota-m');
    await put('quota-m', 'free', 10_000);
    const cleared = JSON.parse(
      (await admin('quota', 'show', '--bucket', 'quota-m', '--json')).stdout,
    );
    expect(cleared).toMatchObject({ max_bytes: null, max_objects: null });
  });

  it(
    'boto3: put, copy and a browser POST see QuotaExceeded',
    skipWith(missingTool('boto3')),
    async () => {
      await admin('quota', 'set', '--bucket', 'qboto', '--max-bytes', '1000');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CAIRN_URL: server.url,
        AWS_ACCESS_KEY_ID: server.keyId,
        AWS_SECRET_ACCESS_KEY: server.secret,
        QUOTA_BUCKET: 'qboto',
      };
      delete env.AWS_CA_BUNDLE;
      const script = resolve(import.meta.dirname, '../compat/boto3_quota.py');
      const { stdout } = await run('/usr/bin/python3', [script], { env, timeout: 60_000 });
      expect(stdout).toContain('boto3 quota OK');
    },
  );
});

describe('quotas: a user, through the admin API', () => {
  let alice: TestUser;
  beforeAll(async () => {
    alice = await createUser(server, 'quota-alice@example.com');
    for (const bucket of ['alice-1', 'alice-2']) {
      await alice.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  });
  afterAll(() => alice?.s3.destroy());

  it('counts every bucket of the owner; only the admin sets it', async () => {
    const path = `/riak-cs/quota/user/${alice.keys.keyId}`;
    expect((await api('PUT', path, '{"max_bytes":"1000"}', alice)).status).toBe(403);
    const set = await api('PUT', path, '{"max_bytes":"1000","max_objects":null}');
    expect(set.status).toBe(200);
    expect(JSON.parse(set.text)).toMatchObject({ user: alice.keys.keyId, max_bytes: 1000 });
    await put('alice-1', 'x', 600, alice.s3);
    expect(await s3ErrorOf(put('alice-2', 'y', 600, alice.s3))).toEqual({
      name: 'QuotaExceeded',
      status: 403,
    });
    expect(await keysOf('alice-2', alice.s3)).toEqual([]);
    const own = await api('GET', path, undefined, alice);
    expect(JSON.parse(own.text)).toMatchObject({ max_bytes: 1000, usage: { bytes: 600 } });
    expect((await api('DELETE', path)).status).toBe(200);
    await put('alice-2', 'y', 600, alice.s3);
  });

  it('bad bodies and unknown names: 4xx with a reason, nothing changed', async () => {
    const path = `/riak-cs/quota/user/${alice.keys.keyId}`;
    await api('PUT', path, '{"max_objects":7}');
    const cases: Array<[string, string, number, RegExp]> = [
      [path, '{"max_bytes":-1}', 400, /negative/],
      [path, '{"max_bytes":"lots"}', 400, /not a size/],
      [path, '{"max_objects":1.5}', 400, /whole number/],
      [path, '{"max_objects":1e300}', 400, /too large/],
      [path, '{"max_bytes":"99999999PiB"}', 400, /too large/],
      [path, '{}', 400, /max_bytes, max_objects/],
      [path, '{"maxbytes":1}', 400, /Only max_bytes and max_objects/],
      [path, 'max_bytes=1', 400, /JSON object/],
      [path, '[1]', 400, /JSON object/],
      ['/riak-cs/quota/user/NOSUCHKEY00000000', '{"max_bytes":1}', 404, /NoSuchUser/],
      ['/riak-cs/quota/bucket/no-such-bucket', '{"max_bytes":1}', 404, /NoSuchBucket/],
    ];
    for (const [where, body, status, text] of cases) {
      const answer = await api('PUT', where, body);
      expect(answer.status, body).toBe(status);
      expect(answer.text, body).toMatch(text);
    }
    const after = JSON.parse((await api('GET', path)).text);
    expect(after).toMatchObject({ max_bytes: null, max_objects: 7 });
  });
});

describe('quotas: cairn-admin refuses bad input before any change', () => {
  it.each([
    [['--bucket', 'quota-b', '--max-bytes', '-5'], /not a size: "-5"/],
    [['--bucket', 'quota-b', '--max-bytes', 'ten'], /not a size/],
    [['--bucket', 'quota-b', '--max-bytes', '1e99'], /not a size/],
    [['--bucket', 'quota-b', '--max-bytes', '99999999PiB'], /too large/],
    [['--bucket', 'quota-b', '--max-objects', '-1'], /not a number of objects/],
    [['--bucket', 'quota-b', '--max-objects', '2.5'], /not a number of objects/],
    [['--bucket', 'quota-b'], /give --max-bytes, --max-objects or both/],
    [['--max-bytes', '1'], /name one of --user KEY_ID or --bucket NAME/],
    [['--user', 'K', '--bucket', 'quota-b', '--max-bytes', '1'], /name one of/],
    [['--user', 'NOSUCHKEY00000000', '--max-bytes', '1'], /NoSuchUser/],
    [['--bucket', 'no-such-bucket', '--max-bytes', '1'], /NoSuchBucket/],
    [['--bucket', 'Bad_Name', '--max-bytes', '1'], /not a bucket name/],
  ])('quota set %j', async (args, message) => {
    const failed = await admin('quota', 'set', ...args).then(
      () => undefined,
      (error: { stderr?: string; code?: number }) => error,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toMatch(message);
    const shown = JSON.parse(
      (await admin('quota', 'show', '--bucket', 'quota-b', '--json')).stdout,
    );
    expect(shown).toMatchObject({ max_bytes: null, max_objects: 3 });
  });
});
