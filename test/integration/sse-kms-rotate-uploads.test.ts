/**
 * `cairn-admin kms rotate` and multipart uploads in progress, through real `cairn start`
 * processes on one data dir: an SSE-S3 upload created (one part written) under key A;
 * restarted with "B, then A", the rotation re-wraps the upload's data key too (a second run
 * finds nothing); restarted with B alone, the upload takes its last part, completes, and
 * reads back whole, the part written under A included.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useKmsStores } from '../helpers/kms-store.js';

const stores = useKmsStores();
const hex = () => `${randomBytes(32).toString('hex')}\n`;

describe('cairn-admin kms rotate with uploads in progress', () => {
  it('re-wraps their data keys, so they complete once the old key is gone', async () => {
    const { keyFile, dataDir } = await stores.dirs('cairn-kms-up-');
    const [keyA, keyB] = [hex(), hex()];
    await writeFile(keyFile, keyA, { mode: 0o600 });
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    let started = await stores.start(dataDir, keyFile);
    await started.s3.send(new CreateBucketCommand({ Bucket: 'rotu' }));
    const created = await started.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'rotu',
        Key: 'mpu',
        ServerSideEncryption: 'AES256',
      }),
    );
    const upload = { Bucket: 'rotu', Key: 'mpu', UploadId: created.UploadId! };
    const one = await started.s3.send(
      new UploadPartCommand({ ...upload, PartNumber: 1, Body: parts[0] }),
    );
    await stores.stop(started);

    await writeFile(keyFile, keyB + keyA, { mode: 0o600 });
    started = await stores.start(dataDir, keyFile);
    const admin = (args: string[]) => stores.admin(started, args);
    const rotated = await admin(['--data-dir', dataDir, 'kms', 'rotate']);
    expect(rotated.stdout).toMatch(
      /^Re-wrapped 1 data keys .*1 of the keys re-wrapped were of uploads/,
    );
    const again = await admin(['--data-dir', dataDir, 'kms', 'rotate']);
    expect(again.stdout).toMatch(/^Re-wrapped 0 data keys/);
    await stores.stop(started);

    await writeFile(keyFile, keyB, { mode: 0o600 });
    started = await stores.start(dataDir, keyFile);
    const { s3 } = started;
    const two = await s3.send(new UploadPartCommand({ ...upload, PartNumber: 2, Body: parts[1] }));
    const Parts = [
      { PartNumber: 1, ETag: one.ETag! },
      { PartNumber: 2, ETag: two.ETag! },
    ];
    await s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'rotu', Key: 'mpu' }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    expect(body.equals(Buffer.concat(parts))).toBe(true);
    expect(got.ServerSideEncryption).toBe('AES256');
    await stores.stop(started);
  }, 120_000);
});
