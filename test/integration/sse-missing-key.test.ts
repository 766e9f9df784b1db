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
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useKmsStores } from '../helpers/kms-store.js';
import { masterKeyId } from '../../src/objects/encryption/sse-keys.js';

const stores = useKmsStores();

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
    const { keyFile, dataDir } = await stores.dirs('cairn-kms-gone-');
    const [keyA, keyB] = [randomBytes(32), randomBytes(32)];
    await writeFile(keyFile, `${keyA.toString('hex')}\n`, { mode: 0o600 });
    let started = await stores.start(dataDir, keyFile);
    const sse = { Bucket: 'gone', ServerSideEncryption: 'AES256' as const };
    await started.s3.send(new CreateBucketCommand({ Bucket: 'gone' }));
    await started.s3.send(new PutObjectCommand({ ...sse, Key: 'obj', Body: randomBytes(5000) }));
    const upload = await started.s3.send(new CreateMultipartUploadCommand({ ...sse, Key: 'mpu' }));
    await stores.stop(started);

    await writeFile(keyFile, `${keyB.toString('hex')}\n`, { mode: 0o600 });
    started = await stores.start(dataDir, keyFile);
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
    await stores.stop(started);
  }, 60_000);
});
