/**
 * Server-side encryption through a real `cairn start` (with --kms-key-file and
 * --allow-sse-c-over-http: the runner talks plain HTTP) and the AWS SDK: SSE-C and SSE-S3
 * objects round-trip whole and by range, in blocks and inline; AWS's answers for a missing,
 * wrong or malformed key; and the data dir, read raw (blob files and LevelDB), holds none
 * of an encrypted object's bytes while it does hold those of a plain control object.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { madeScratchDir } from '../helpers/scratch-dir.js';

const BUCKET = 'sse';
const keyDir = madeScratchDir('kms');
const KMS_KEY_FILE = join(keyDir, 'kms.key');
writeFileSync(KMS_KEY_FILE, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

let server: CairnProcess;
let s3: S3Client;
useCairn(
  {
    buckets: [BUCKET],
    args: [
      ...['--block-size', String(64 * 1024), '--inline-max', '4096'],
      ...['--kms-key-file', KMS_KEY_FILE, '--allow-sse-c-over-http'],
    ],
  },
  (started) => ({ server, s3 } = started),
);

const customerKey = randomBytes(32);
const SSE_C = {
  SSECustomerAlgorithm: 'AES256',
  SSECustomerKey: customerKey.toString('base64'),
  SSECustomerKeyMD5: createHash('md5').update(customerKey).digest('base64'),
};

async function get(key: string, extra: Partial<GetObjectCommand['input']> = {}) {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
  return { got, body: Buffer.from(await got.Body!.transformToByteArray()) };
}

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

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Whether any file of the data dir holds `needle`, read raw. */
async function dataDirHolds(needle: Buffer): Promise<boolean> {
  for (const file of await filesUnder(server.dataDir)) {
    if ((await readFile(file)).includes(needle)) return true;
  }
  return false;
}

describe('SSE-C', () => {
  it.each([
    ['blocks', 200 * 1024 + 17],
    ['inline', 3000],
  ])('%s: round-trips whole and by range with the key, answers its headers', async (_, size) => {
    const data = randomBytes(size);
    const key = `c-${size}`;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data, ...SSE_C }),
    );
    expect(put.SSECustomerAlgorithm).toBe('AES256');
    expect(put.SSECustomerKeyMD5).toBe(SSE_C.SSECustomerKeyMD5);
    // AWS: an SSE-C ETag is not the MD5 of the plaintext.
    expect(put.ETag).not.toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    const whole = await get(key, SSE_C);
    expect(whole.body.equals(data)).toBe(true);
    expect(whole.got.ETag).toBe(put.ETag);
    for (const [start, end] of [
      [0, 0],
      [Math.min(65_530, size - 40), Math.min(65_560, size - 10)],
      [size - 10, size - 1],
    ] as const) {
      const range = await get(key, { ...SSE_C, Range: `bytes=${start}-${end}` });
      expect(range.body.equals(data.subarray(start, end + 1))).toBe(true);
      expect(range.got.ContentLength).toBe(end - start + 1);
    }
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ...SSE_C }));
    expect(head.ContentLength).toBe(size);
    expect(head.SSECustomerKeyMD5).toBe(SSE_C.SSECustomerKeyMD5);
  });

  it("answers AWS's codes: no key 400, wrong key 403, bad MD5 or key 400", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'secret', ...SSE_C }));
    expect(await statusOf(get('k'))).toBe('400 InvalidRequest');
    expect(await statusOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' })))).toMatch(
      /^400/,
    );
    const other = randomBytes(32);
    const wrong = {
      SSECustomerAlgorithm: 'AES256',
      SSECustomerKey: other.toString('base64'),
      SSECustomerKeyMD5: createHash('md5').update(other).digest('base64'),
    };
    expect(await statusOf(get('k', wrong))).toBe('403 AccessDenied');
    // Raw requests: the SDK computes the key's MD5 itself, so it never sends a bad one.
    const md5 = (key: Buffer) => createHash('md5').update(key).digest('base64');
    const put = async (key: Buffer, keyMd5: string, algorithm = 'AES256') => {
      const res = await signedFetch(server.url, `/${BUCKET}/bad`, {
        method: 'PUT',
        body: 'x',
        headers: {
          'x-amz-server-side-encryption-customer-algorithm': algorithm,
          'x-amz-server-side-encryption-customer-key': key.toString('base64'),
          'x-amz-server-side-encryption-customer-key-md5': keyMd5,
        },
        credentials: server,
      });
      return `${res.status} ${/<Code>([^<]*)</.exec(await res.text())?.[1]}`;
    };
    expect(await put(customerKey, 'AAAAAAAAAAAAAAAAAAAAAA==')).toBe('400 InvalidArgument');
    const shortKey = Buffer.alloc(16, 1);
    expect(await put(shortKey, md5(shortKey))).toBe('400 InvalidArgument');
    expect(await put(customerKey, md5(customerKey), 'AES128')).toBe('400 InvalidArgument');
    expect(await statusOf(get('bad'))).toBe('404 NoSuchKey');
    // SSE-C headers on an object not stored with them: 400, as AWS.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain', Body: 'p' }));
    expect(await statusOf(get('plain', SSE_C))).toBe('400 InvalidRequest');
  });
});

describe('SSE-S3', () => {
  it('x-amz-server-side-encryption: AES256 round-trips and is answered', async () => {
    const data = randomBytes(150 * 1024);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 's3',
        Body: data,
        ServerSideEncryption: 'AES256',
      }),
    );
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(put.ETag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    const { got, body } = await get('s3', { Range: 'bytes=70000-140000' });
    expect(body.equals(data.subarray(70_000, 140_001))).toBe(true);
    expect(got.ServerSideEncryption).toBe('AES256');
  });

  it('refuses SSE-KMS and an unknown algorithm', async () => {
    const put = (value: string) =>
      signedFetch(server.url, `/${BUCKET}/kms`, {
        method: 'PUT',
        body: 'x',
        headers: { 'x-amz-server-side-encryption': value },
        credentials: server,
      });
    expect((await put('aws:kms')).status).toBe(501);
    expect((await put('AES512')).status).toBe(400);
  });
});

describe('at rest', () => {
  it('the raw data dir holds no bytes of encrypted objects, only of the plain one', async () => {
    const bodies = {
      blockC: randomBytes(130 * 1024),
      inlineC: randomBytes(2000),
      blockS3: randomBytes(130 * 1024),
      inlineS3: randomBytes(2000),
      plain: randomBytes(130 * 1024),
      plainInline: randomBytes(2000),
    };
    const put = (key: string, extra: object) =>
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bodies[key as 'plain'], ...extra }),
      );
    await put('blockC', SSE_C);
    await put('inlineC', SSE_C);
    await put('blockS3', { ServerSideEncryption: 'AES256' });
    await put('inlineS3', { ServerSideEncryption: 'AES256' });
    await put('plain', {});
    await put('plainInline', {});
    const needle = (data: Buffer) => data.subarray(1000, 1064);
    // The control: the scan finds plain bytes, in blob files and in LevelDB alike.
    expect(await dataDirHolds(needle(bodies.plain))).toBe(true);
    expect(await dataDirHolds(needle(bodies.plainInline))).toBe(true);
    for (const name of ['blockC', 'inlineC', 'blockS3', 'inlineS3'] as const) {
      expect(await dataDirHolds(needle(bodies[name])), name).toBe(false);
    }
    // Nor the customer's key.
    expect(await dataDirHolds(customerKey)).toBe(false);
  });
});

describe('bucket default encryption', () => {
  it('Put/Get/Delete ?encryption; a default makes plain PUTs SSE-S3', async () => {
    const Bucket = 'sse-default';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const getConfig = () => s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(await statusOf(getConfig())).toBe('404 ServerSideEncryptionConfigurationNotFoundError');
    const rules = (SSEAlgorithm: 'AES256' | 'aws:kms') => ({
      Bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm } }],
      },
    });
    expect(await statusOf(s3.send(new PutBucketEncryptionCommand(rules('aws:kms'))))).toBe(
      '501 NotImplemented',
    );
    await s3.send(new PutBucketEncryptionCommand(rules('AES256')));
    const config = await getConfig();
    const rule = config.ServerSideEncryptionConfiguration!.Rules![0]!;
    expect(rule.ApplyServerSideEncryptionByDefault!.SSEAlgorithm).toBe('AES256');
    const data = randomBytes(70 * 1024);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'd', Body: data }));
    expect(put.ServerSideEncryption).toBe('AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'd' }));
    expect(got.ServerSideEncryption).toBe('AES256');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    expect(await dataDirHolds(data.subarray(1000, 1064))).toBe(false);
    // SSE-C on a bucket with a default: the customer's key wins, as on AWS.
    const c = await s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'x', ...SSE_C }));
    expect(c.SSECustomerKeyMD5).toBe(SSE_C.SSECustomerKeyMD5);
    expect(c.ServerSideEncryption).toBeUndefined();
    // Multipart uploads get the default too (sse-multipart.test.ts reads them back).
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'm' }));
    expect(upload.ServerSideEncryption).toBe('AES256');
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    expect(await statusOf(getConfig())).toBe('404 ServerSideEncryptionConfigurationNotFoundError');
    const plain = await s3.send(new PutObjectCommand({ Bucket, Key: 'p', Body: 'x' }));
    expect(plain.ServerSideEncryption).toBeUndefined();
  });
});

describe('CopyObject', () => {
  it('opens the source with its key and seals the copy as asked', async () => {
    const data = randomBytes(100 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cs', Body: data, ...SSE_C }));
    const source = { Bucket: BUCKET, CopySource: `${BUCKET}/cs` };
    const sourceKey = {
      CopySourceSSECustomerAlgorithm: 'AES256',
      CopySourceSSECustomerKey: SSE_C.SSECustomerKey,
      CopySourceSSECustomerKeyMD5: SSE_C.SSECustomerKeyMD5,
    };
    // Without the source's key: 400, as GET would.
    expect(await statusOf(s3.send(new CopyObjectCommand({ ...source, Key: 'x' })))).toBe(
      '400 InvalidRequest',
    );
    const toS3 = await s3.send(
      new CopyObjectCommand({
        ...source,
        Key: 'cs-s3',
        ...sourceKey,
        ServerSideEncryption: 'AES256',
      }),
    );
    expect(toS3.ServerSideEncryption).toBe('AES256');
    expect((await get('cs-s3')).body.equals(data)).toBe(true);
    // SSE-S3 to plain: the copy is stored in the clear, as asked.
    await s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, CopySource: `${BUCKET}/cs-s3`, Key: 'cs-plain' }),
    );
    const plain = await get('cs-plain');
    expect(plain.got.ServerSideEncryption).toBeUndefined();
    expect(plain.body.equals(data)).toBe(true);
    // Plain back to SSE-C under the customer's key.
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        CopySource: `${BUCKET}/cs-plain`,
        Key: 'cs-c',
        ...SSE_C,
      }),
    );
    expect((await get('cs-c', SSE_C)).body.equals(data)).toBe(true);
    expect(await statusOf(get('cs-c'))).toBe('400 InvalidRequest');
  });
});
