/**
 * `cairn-admin import` when things are not simple: bad options and keys, an unreachable
 * source (clear message, exit 1, nothing created); a source that cannot give multipart
 * boundaries (?partNumber), where the part size that reproduces an ETag is found and an
 * ETag that cannot be kept is reported; an object nobody may read; and a bucket deleted
 * from the source mid-import (reported, exit 2, only whole objects on the target).
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import {
  allKeys,
  eachLimit,
  makeUser,
  objectFacts,
  runImport,
  startImport,
  uploadsIn,
  waitFor,
  type ImportReportJson,
  type WorldUser,
} from '../helpers/import-world.js';
import { FAKE_ETAG, noPartNumberProxy, type Proxy } from '../helpers/no-part-number-proxy.js';
import { codeOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { parseUsersAnswer } from '../../src/import/core/users-answer.js';

const MIB = 1024 * 1024;
let source: CairnProcess;
let target: CairnProcess;
let proxy: Proxy;
let dave: WorldUser;

beforeAll(async () => {
  [source, target] = await Promise.all([startCairn(), startCairn()]);
  dave = await makeUser(source, target, 'dave', 'D4DAVE00000000000004');
  proxy = await noPartNumberProxy(source.url);
}, 60_000);

afterAll(async () => {
  dave?.source.destroy();
  dave?.target.destroy();
  await proxy?.close();
  const errors = [...(source?.errorLogs() ?? []), ...(target?.errorLogs() ?? [])];
  await Promise.all([source?.cleanup(), target?.cleanup()]);
  expect(errors).toEqual([]);
});

async function targetUsers() {
  const res = await signedFetch(target.url, '/riak-cs/users', {
    credentials: target,
    headers: { accept: 'application/json' },
  });
  return parseUsersAnswer(res.headers.get('content-type') ?? '', await res.text());
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Uploads `body` as a multipart object cut at `sizes`. */
async function uploadInParts(bucket: string, key: string, body: Buffer, sizes: number[]) {
  const s3 = dave.source;
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: { cut: 'yes' } }),
  );
  const Parts = [];
  for (let i = 0, at = 0; i < sizes.length; at += sizes[i]!, i++) {
    const Body = body.subarray(at, at + sizes[i]!);
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body }),
    );
    Parts.push({ PartNumber: i + 1, ETag: part.ETag });
  }
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId,
      MultipartUpload: { Parts },
    }),
  );
}

function bytes(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  const block = createHash('sha512').update(seed).digest();
  for (let at = 0; at < size; at += block.length) block.copy(out, at);
  return out;
}

describe('cairn-admin import: refusals', () => {
  it('refuses bad options, wrong keys and an unreachable source, creating nothing', async () => {
    const before = await targetUsers();
    const wrong = { url: source.url, keyId: source.keyId, secret: 'not-the-secret-0000000' };
    const notAdmin = { url: source.url, keyId: dave.keyId, secret: dave.secret };
    const nowhere = { ...source, url: `http://127.0.0.1:${await closedPort()}` };
    const cases: Array<[Promise<{ code: number | null; stderr: string }>, RegExp]> = [
      [runImport(source, target, ['--bogus']), /unknown option '--bogus'/],
      [runImport(source, target, ['--concurrency', '0']), /--concurrency must be/],
      [runImport(source, target, ['--source-signature', 'v3']), /v2 or v4/],
      [runImport(wrong, target), /source refused --admin-key.*SignatureDoesNotMatch/],
      [runImport(notAdmin, target), /source refused --admin-key.*AccessDenied/],
      [runImport(nowhere, target), /source is unreachable.*ECONNREFUSED/],
    ];
    for (const [run, message] of cases) {
      const { code, stderr } = await run;
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(message);
    }
    expect(await targetUsers()).toEqual(before);
    expect(before).toHaveLength(1);
    expect(await codeOf(dave.target.send(new ListBucketsCommand({})))).toBe('InvalidAccessKeyId');
  });
});

describe('cairn-admin import: multipart ETags without ?partNumber', () => {
  const uniform = bytes(12 * MIB + 3, 'uniform');
  const uneven = bytes(12 * MIB, 'uneven');

  it('finds the part size that gives an ETag; reports the ETags it cannot keep', async () => {
    await dave.source.send(new CreateBucketCommand({ Bucket: 'delta' }));
    await uploadInParts('delta', 'uniform 5 MiB', uniform, [5 * MIB, 5 * MIB, 2 * MIB + 3]);
    await uploadInParts('delta', 'uneven', uneven, [6 * MIB, 5 * MIB, 1 * MIB]);
    await dave.source.send(
      new PutObjectCommand({ Bucket: 'delta', Key: 'odd fake-etag', Body: 'not its md5' }),
    );
    const { code, report, stderr } = await runImport({ ...source, url: proxy.url }, target);
    expect(code, stderr).toBe(0);
    const [from, to] = await Promise.all(
      ['uniform 5 MiB', 'uneven'].map((key) =>
        Promise.all([
          objectFacts(dave.source, 'delta', key),
          objectFacts(dave.target, 'delta', key),
        ]),
      ),
    );
    expect(from![1]).toEqual(from![0]);
    expect(to![1].sha256).toBe(to![0].sha256);
    expect(to![1].metadata).toEqual({ cut: 'yes' });
    expect(to![1].etag).not.toBe(to![0].etag);
    const odd = await objectFacts(dave.target, 'delta', 'odd fake-etag');
    expect(odd.sha256).toBe(createHash('sha256').update('not its md5').digest('hex'));
    expect(report!.etagChanges).toEqual([
      {
        bucket: 'delta',
        key: 'odd fake-etag',
        sourceEtag: FAKE_ETAG.replaceAll('"', ''),
        targetEtag: odd.etag!.replaceAll('"', ''),
        reason: expect.stringContaining('not the MD5'),
      },
      {
        bucket: 'delta',
        key: 'uneven',
        sourceEtag: to![0].etag!.replaceAll('"', ''),
        targetEtag: to![1].etag!.replaceAll('"', ''),
        reason: expect.stringContaining('no uniform part size'),
      },
    ]);
  });
});

describe('cairn-admin import: what cannot be copied', () => {
  it('reports an object nobody may read, and does not create it', async () => {
    await dave.source.send(new CreateBucketCommand({ Bucket: 'echo' }));
    await dave.source.send(new PutObjectCommand({ Bucket: 'echo', Key: 'sealed', Body: 'x' }));
    await dave.source.send(
      new PutObjectAclCommand({
        Bucket: 'echo',
        Key: 'sealed',
        AccessControlPolicy: { Owner: { ID: dave.id }, Grants: [] },
      }),
    );
    const { code, report } = await runImport(source, target);
    expect(code).toBe(2);
    expect(report!.problems).toEqual([
      {
        what: 'object',
        bucket: 'echo',
        key: 'sealed',
        reason: expect.stringContaining('AccessDenied'),
      },
    ]);
    const head = dave.target.send(new HeadObjectCommand({ Bucket: 'echo', Key: 'sealed' }));
    expect(await codeOf(head)).toBe('NotFound');
  });

  it('reports a bucket deleted from the source mid-import; what it copied is whole', async () => {
    const COUNT = 400;
    const body = (key: string) => `${key}:${createHash('sha256').update(key).digest('hex')}`;
    const keys = Array.from({ length: COUNT }, (_, i) => `v ${String(i).padStart(4, '0')} é`);
    await dave.source.send(new CreateBucketCommand({ Bucket: 'vanish' }));
    await eachLimit(keys, 32, async (Key) => {
      await dave.source.send(new PutObjectCommand({ Bucket: 'vanish', Key, Body: body(Key) }));
    });
    const run = startImport(source, target, ['--json', '--concurrency', '1']);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    const started = async () => (await allKeys(dave.target, 'vanish')).length > 0;
    expect(await waitFor(started, 60_000)).toBe(true);
    // Held still while the bucket goes, so it next meets a missing bucket, not objects
    // deleted one by one from a bucket still there (which it reports object by object).
    run.child.kill('SIGSTOP');
    try {
      const Objects = keys.map((Key) => ({ Key }));
      await dave.source.send(new DeleteObjectsCommand({ Bucket: 'vanish', Delete: { Objects } }));
      await dave.source.send(new DeleteBucketCommand({ Bucket: 'vanish' }));
    } finally {
      run.child.kill('SIGCONT');
    }
    const { code } = await run.done;
    const report = JSON.parse(run.stdout()) as ImportReportJson;
    expect(code).toBe(2);
    expect(report.problems).toContainEqual({
      what: 'bucket',
      bucket: 'vanish',
      reason: expect.stringContaining('deleted from the source during the import'),
    });
    const copied = await allKeys(dave.target, 'vanish');
    expect(copied.length).toBeGreaterThan(0);
    expect(copied.length).toBeLessThan(COUNT);
    await eachLimit(copied, 8, async (key) => {
      const facts = await objectFacts(dave.target, 'vanish', key);
      expect(facts.sha256, key).toBe(createHash('sha256').update(body(key)).digest('hex'));
    });
    expect(await uploadsIn(dave.target, 'vanish')).toBe(0);
  });
});
