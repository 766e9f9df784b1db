/**
 * Encrypted multipart uploads and browser POSTs through a real `cairn start` (with
 * --kms-key-file and --allow-sse-c-over-http: the runner talks plain HTTP): SSE-C uploads
 * whose every part must bring the key (AWS's 400s without it or with another),
 * UploadPartCopy from an SSE-C source, reads whole, by a range across a part boundary and
 * by part number; the aws CLI's own multipart `cp` of 20 MB to a bucket with default
 * encryption; browser POSTs with SSE-C or SSE-S3 form fields; and the raw data dir, which
 * holds no byte of any of them.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';
import { madeScratchDir } from '../helpers/scratch-dir.js';

const BUCKET = 'ssemp';
const MIB = 1024 * 1024;
const workDir = madeScratchDir('ssemp');
const KMS_KEY_FILE = join(workDir, 'kms.key');
writeFileSync(KMS_KEY_FILE, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

let server: CairnProcess;
let s3: S3Client;
useCairn(
  {
    buckets: [BUCKET],
    args: [
      ...['--block-size', String(256 * 1024)],
      ...['--kms-key-file', KMS_KEY_FILE, '--allow-sse-c-over-http'],
    ],
  },
  (started) => ({ server, s3 } = started),
);

function customerKeyHeaders(key: Buffer) {
  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
}
const customerKey = randomBytes(32);
const SSE_C = customerKeyHeaders(customerKey);

async function statusOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return `${error.$metadata.httpStatusCode} ${error.name}`;
    }
    throw error;
  }
  return 'no error';
}

async function get(key: string, extra: Partial<GetObjectCommand['input']> = {}) {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
  return { got, body: Buffer.from(await got.Body!.transformToByteArray()) };
}

/** Whether any file of the data dir holds `needle`, read raw. */
async function dataDirHolds(needle: Buffer): Promise<boolean> {
  const entries = await readdir(server.dataDir, { withFileTypes: true, recursive: true });
  for (const entry of entries.filter((e) => e.isFile())) {
    if ((await readFile(join(entry.parentPath, entry.name))).includes(needle)) return true;
  }
  return false;
}

const needle = (data: Buffer) => data.subarray(4000, 4064);

/** An SSE-C upload of part 1 (`first`) and part 2 copied from an SSE-C object (`copied`). */
async function customerUpload(key: string, first: Buffer, copied: Buffer) {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'src', Body: copied, ...SSE_C }));
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...SSE_C }),
  );
  expect(created.SSECustomerKeyMD5).toBe(SSE_C.SSECustomerKeyMD5);
  const part = { Bucket: BUCKET, Key: key, UploadId: created.UploadId!, PartNumber: 1 };
  // Every part must bring the upload's key: 400 without, 400 with another (nothing kept).
  expect(await statusOf(s3.send(new UploadPartCommand({ ...part, Body: first })))).toBe(
    '400 InvalidRequest',
  );
  const other = customerKeyHeaders(randomBytes(32));
  expect(await statusOf(s3.send(new UploadPartCommand({ ...part, Body: first, ...other })))).toBe(
    '400 InvalidArgument',
  );
  // Part 1 twice: the second upload replaces the first under a key of its own.
  await s3.send(new UploadPartCommand({ ...part, Body: randomBytes(first.length), ...SSE_C }));
  const one = await s3.send(new UploadPartCommand({ ...part, Body: first, ...SSE_C }));
  expect(one.SSECustomerKeyMD5).toBe(SSE_C.SSECustomerKeyMD5);
  const two = await s3.send(
    new UploadPartCopyCommand({
      ...part,
      PartNumber: 2,
      CopySource: `${BUCKET}/src`,
      CopySourceSSECustomerAlgorithm: 'AES256',
      CopySourceSSECustomerKey: SSE_C.SSECustomerKey,
      CopySourceSSECustomerKeyMD5: SSE_C.SSECustomerKeyMD5,
      ...SSE_C,
    }),
  );
  const Parts = [
    { PartNumber: 1, ETag: one.ETag! },
    { PartNumber: 2, ETag: two.CopyPartResult!.ETag! },
  ];
  const { UploadId } = created;
  const done = { Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts } };
  return s3.send(new CompleteMultipartUploadCommand({ ...done, ...SSE_C }));
}

describe('multipart SSE-C', () => {
  it('seals every part; reads whole, across the part boundary and by part', async () => {
    const first = randomBytes(5 * MIB + 1);
    const copied = randomBytes(300 * 1024 + 7);
    const done = await customerUpload('mp-c', first, copied);
    expect(done.ETag).toMatch(/-2"$/);
    const whole = Buffer.concat([first, copied]);
    const read = await get('mp-c', SSE_C);
    expect(read.body.equals(whole)).toBe(true);
    expect(read.got.ETag).toBe(done.ETag);
    expect(read.got.SSECustomerKeyMD5).toBe(SSE_C.SSECustomerKeyMD5);
    const [start, end] = [first.length - 70_000, first.length + 70_000];
    const range = await get('mp-c', { ...SSE_C, Range: `bytes=${start}-${end}` });
    expect(range.body.equals(whole.subarray(start, end + 1))).toBe(true);
    const part2 = await get('mp-c', { ...SSE_C, PartNumber: 2 });
    expect(part2.body.equals(copied)).toBe(true);
    const head = { Bucket: BUCKET, Key: 'mp-c', PartNumber: 1, ...SSE_C };
    expect((await s3.send(new HeadObjectCommand(head))).ContentLength).toBe(first.length);
    expect(await statusOf(get('mp-c'))).toBe('400 InvalidRequest');
    const other = customerKeyHeaders(randomBytes(32));
    expect(await statusOf(get('mp-c', other))).toBe('403 AccessDenied');
    expect(await dataDirHolds(needle(first))).toBe(false);
    expect(await dataDirHolds(needle(copied))).toBe(false);
    expect(await dataDirHolds(customerKey)).toBe(false);
  });

  it('refuses SSE-C and SSE-S3 together, and SSE-C headers on a plain upload', async () => {
    const both = { Bucket: BUCKET, Key: 'both', ServerSideEncryption: 'AES256' as const };
    expect(await statusOf(s3.send(new CreateMultipartUploadCommand({ ...both, ...SSE_C })))).toBe(
      '400 InvalidArgument',
    );
    const plain = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'p' }));
    const part = { Bucket: BUCKET, Key: 'p', UploadId: plain.UploadId!, PartNumber: 1 };
    expect(await statusOf(s3.send(new UploadPartCommand({ ...part, Body: 'x', ...SSE_C })))).toBe(
      '400 InvalidRequest',
    );
  });
});

describe('ListParts with SSE-C headers', () => {
  it('lists with the upload key or none, refuses another key as UploadPart does', async () => {
    const created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'lp', ...SSE_C }),
    );
    const upload = { Bucket: BUCKET, Key: 'lp', UploadId: created.UploadId! };
    await s3.send(new UploadPartCommand({ ...upload, PartNumber: 1, Body: 'one', ...SSE_C }));
    const list = (extra = {}) => s3.send(new ListPartsCommand({ ...upload, ...extra }));
    for (const extra of [{}, SSE_C]) {
      expect((await list(extra)).Parts?.map((p) => p.PartNumber)).toEqual([1]);
    }
    const other = customerKeyHeaders(randomBytes(32));
    expect(await statusOf(list(other))).toBe('400 InvalidArgument');
    for (const ServerSideEncryption of [undefined, 'AES256' as const]) {
      const notSseC = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'lp2', ServerSideEncryption }),
      );
      const listing = new ListPartsCommand({
        Bucket: BUCKET,
        Key: 'lp2',
        UploadId: notSseC.UploadId!,
        ...SSE_C,
      });
      expect(await statusOf(s3.send(listing))).toBe('400 InvalidRequest');
    }
  });
});

describe('multipart SSE-S3', () => {
  it(
    "the aws CLI's multipart cp of 20 MB to a default-encrypted bucket",
    skipWith(missingTool('aws'), 120_000),
    async () => {
      const Bucket = 'ssemp-default';
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_ACCESS_KEY_ID: server.keyId,
        AWS_SECRET_ACCESS_KEY: server.secret,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      };
      delete env.AWS_CA_BUNDLE;
      const aws = (...args: string[]) =>
        promisify(execFile)(
          '/usr/bin/aws',
          ['--endpoint-url', server.url, '--region', 'us-east-1', ...args],
          { env, timeout: 100_000 },
        );
      await aws('s3', 'mb', `s3://${Bucket}`);
      const rules = [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }];
      const config = { Bucket, ServerSideEncryptionConfiguration: { Rules: rules } };
      await s3.send(new PutBucketEncryptionCommand(config));
      const data = randomBytes(20 * 1000 * 1000);
      const file = join(workDir, 'twenty.bin');
      writeFileSync(file, data);
      await aws('s3', 'cp', '--no-progress', file, `s3://${Bucket}/twenty.bin`);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'twenty.bin' }));
      expect(head.ServerSideEncryption).toBe('AES256');
      expect(head.ETag).toMatch(/-\d+"$/);
      await aws('s3', 'cp', '--no-progress', `s3://${Bucket}/twenty.bin`, `${file}.back`);
      expect((await readFile(`${file}.back`)).equals(data)).toBe(true);
      expect(await dataDirHolds(needle(data))).toBe(false);
      expect(await dataDirHolds(data.subarray(19 * MIB, 19 * MIB + 64))).toBe(false);
    },
  );
});

/** A browser POST of `data` to `key` with `extra` form fields, signed (SigV2 policy). */
function postForm(key: string, data: Buffer, extra: Record<string, string>) {
  const expiration = new Date(Date.now() + 600_000).toISOString();
  const conditions = [
    { bucket: BUCKET },
    { key },
    ...Object.keys(extra).map((name) => ['starts-with', `$${name}`, '']),
  ];
  const policy = Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
  const signature = createHmac('sha1', server.secret).update(policy).digest('base64');
  const form = new FormData();
  const fields = { key, AWSAccessKeyId: server.keyId, policy, signature, ...extra };
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(data)]), 'f.bin');
  return fetch(new URL(`/${BUCKET}`, server.url), { method: 'POST', body: form });
}

describe('browser POST', () => {
  it('seals with SSE-C or SSE-S3 form fields, answering their headers', async () => {
    const data = randomBytes(200 * 1024);
    const customer = await postForm('post-c', data, {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': SSE_C.SSECustomerKey,
      'x-amz-server-side-encryption-customer-key-md5': SSE_C.SSECustomerKeyMD5,
    });
    expect(customer.status).toBe(204);
    const md5Header = 'x-amz-server-side-encryption-customer-key-md5';
    expect(customer.headers.get(md5Header)).toBe(SSE_C.SSECustomerKeyMD5);
    expect(await statusOf(get('post-c'))).toBe('400 InvalidRequest');
    expect((await get('post-c', SSE_C)).body.equals(data)).toBe(true);
    const managed = await postForm('post-s3', data.subarray(0, 90_000), {
      'x-amz-server-side-encryption': 'AES256',
    });
    expect(managed.headers.get('x-amz-server-side-encryption')).toBe('AES256');
    const read = await get('post-s3');
    expect(read.got.ServerSideEncryption).toBe('AES256');
    expect(read.body.equals(data.subarray(0, 90_000))).toBe(true);
    const bad = await postForm('post-bad', data, {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': SSE_C.SSECustomerKey,
      'x-amz-server-side-encryption-customer-key-md5': 'AAAAAAAAAAAAAAAAAAAAAA==',
    });
    expect(bad.status).toBe(400);
    expect(await statusOf(get('post-bad'))).toBe('404 NoSuchKey');
    expect(await dataDirHolds(needle(data))).toBe(false);
  });
});
