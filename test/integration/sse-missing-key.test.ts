/**
 * An SSE-S3 object whose master key is no longer in the key file, against a real `cairn
 * start` restarted with another key: every request that needs the data key answers 503
 * ServiceUnavailable naming the key id (a server-side failure, DESIGN.md; never key
 * material), requests that need no key still work, and the log names the key id once,
 * not once per request.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { masterKeyId } from '../../src/objects/encryption/sse-keys.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(dataDir: string, keyFile: string) {
  const server = await startCairn({ dataDir, args: ['--kms-key-file', keyFile] });
  cleanups.push(() => server.cleanup({ keepData: true }));
  return { server, s3: s3Client(server) };
}

async function stop(started: { server: CairnProcess; s3: S3Client }) {
  started.s3.destroy();
  await started.server.stop();
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof S3ServiceException)) throw error;
    return { status: error.$metadata.httpStatusCode, code: error.name, message: error.message };
  }
  return { status: 200 };
}

describe('an SSE-S3 object whose master key left the key file', () => {
  it('answers 503 naming the key id, and logs it once', async () => {
    const keyDir = await mkdtemp(join(tmpdir(), 'cairn-kms-gone-'));
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-test-'));
    cleanups.push(() => rm(keyDir, { recursive: true, force: true }));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const keyFile = join(keyDir, 'kms.key');
    const [keyA, keyB] = [randomBytes(32), randomBytes(32)];
    await writeFile(keyFile, `${keyA.toString('hex')}\n`, { mode: 0o600 });
    let started = await start(dataDir, keyFile);
    const sse = { Bucket: 'gone', ServerSideEncryption: 'AES256' as const };
    await started.s3.send(new CreateBucketCommand({ Bucket: 'gone' }));
    await started.s3.send(new PutObjectCommand({ ...sse, Key: 'obj', Body: randomBytes(5000) }));
    const upload = await started.s3.send(new CreateMultipartUploadCommand({ ...sse, Key: 'mpu' }));
    await stop(started);

    await writeFile(keyFile, `${keyB.toString('hex')}\n`, { mode: 0o600 });
    started = await start(dataDir, keyFile);
    const { s3, server } = started;
    const id = masterKeyId(keyA);
    const gone = { status: 503, code: 'ServiceUnavailable', message: expect.stringContaining(id) };
    const get = () => s3.send(new GetObjectCommand({ Bucket: 'gone', Key: 'obj' }));
    for (let i = 0; i < 3; i++) expect(await failure(get())).toMatchObject(gone);
    const range = s3.send(new GetObjectCommand({ Bucket: 'gone', Key: 'obj', Range: 'bytes=1-2' }));
    expect(await failure(range)).toMatchObject(gone);
    const copy = new CopyObjectCommand({ Bucket: 'gone', Key: 'c', CopySource: 'gone/obj' });
    expect(await failure(s3.send(copy))).toMatchObject(gone);
    const part = new UploadPartCommand({
      Bucket: 'gone',
      Key: 'mpu',
      UploadId: upload.UploadId!,
      PartNumber: 1,
      Body: 'part',
    });
    expect(await failure(s3.send(part))).toMatchObject(gone);
    // HEAD needs no data key.
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'gone', Key: 'obj' })))).toEqual({
      status: 200,
    });
    const logs = server.output().split('\n');
    for (const secret of [keyA, keyB]) {
      expect(server.output()).not.toContain(secret.toString('hex'));
      expect(server.output()).not.toContain(secret.toString('base64'));
    }
    expect(logs.filter((line) => line.includes(id) && /kms key file/.test(line))).toHaveLength(1);
    expect(server.errorLogs()).toEqual([]);
    await stop(started);
  }, 60_000);
});
