/**
 * Storage accounting of a versioned bucket against a real `cairn start`: GET /riak-cs/storage
 * (what `cairn-admin storage` prints) counts the current objects as before and the
 * noncurrent versions apart, through overwrites, delete markers and version deletes; the
 * reconciler, running every second here, recounts both from scans and agrees.
 */
import {
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;
const env = {
  CAIRN_STORAGE_ARCHIVE_SECONDS: '1',
  CAIRN_USAGE_FLUSH_SECONDS: '1',
  CAIRN_USAGE_RECONCILE_SECONDS: '1',
};
useCairn({ buckets: ['v-usage'], env }, (started) => ({ server, s3 } = started));

interface BucketJson {
  Name: string;
  Objects: number;
  Bytes: number;
  NoncurrentObjects?: number;
  NoncurrentBytes?: number;
}

async function usage() {
  const res = await signedFetch(server.url, `/riak-cs/storage/${server.keyId}?bucket=v-usage`, {
    credentials: { keyId: server.keyId, secret: server.secret },
  });
  expect(res.status).toBe(200);
  const bucket = (JSON.parse(await res.text()) as { Users: Array<{ Buckets: BucketJson[] }> })
    .Users[0]!.Buckets[0]!;
  return {
    current: [bucket.Objects, bucket.Bytes],
    noncurrent: [bucket.NoncurrentObjects ?? 0, bucket.NoncurrentBytes ?? 0],
  };
}

async function put(Key: string, bytes: number) {
  const body = 'x'.repeat(bytes);
  return (await s3.send(new PutObjectCommand({ Bucket: 'v-usage', Key, Body: body }))).VersionId;
}

describe('storage accounting of versions', () => {
  it('counts current and noncurrent bytes apart, and the reconciler agrees', async () => {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'v-usage',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    const first = await put('k', 10);
    await put('k', 20);
    await put('j', 5);
    expect(await usage()).toEqual({ current: [2, 25], noncurrent: [1, 10] });
    await s3.send(new DeleteObjectCommand({ Bucket: 'v-usage', Key: 'k' }));
    expect(await usage()).toEqual({ current: [1, 5], noncurrent: [2, 30] });
    await s3.send(new DeleteObjectCommand({ Bucket: 'v-usage', Key: 'k', VersionId: first }));
    expect(await usage()).toEqual({ current: [1, 5], noncurrent: [1, 20] });
    // Several reconcile passes (one a second) recount both from scans.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await usage()).toEqual({ current: [1, 5], noncurrent: [1, 20] });
  });
});
