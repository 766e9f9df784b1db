/**
 * UploadPart's integrity check on a bucket with object lock, against a real `cairn start`
 * with raw signed requests (an SDK would add a checksum of its own): AWS requires
 * Content-MD5 or a checksum on any upload of an object that gets a retention period, and
 * a multipart object gets the bucket's default retention at Complete as surely as one asked
 * for at create. A legal hold alone, or a bucket without default retention, needs none.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({}, (started) => ({ server, s3 } = started));

const md5 = (text: string) => createHash('md5').update(text).digest('base64');

async function lockedBucket(Bucket: string, defaultDays?: number): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
  if (defaultDays === undefined) return;
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: defaultDays } },
      },
    }),
  );
}

/** Uploads part 1 with `headers`; the S3 error code, or 'ok'. */
async function partOutcome(Bucket: string, UploadId: string, headers: Record<string, string>) {
  const path = `/${Bucket}/m?partNumber=1&uploadId=${encodeURIComponent(UploadId)}`;
  const credentials = { keyId: server.keyId, secret: server.secret };
  const res = await signedFetch(server.url, path, {
    method: 'PUT',
    body: 'part',
    headers,
    credentials,
  });
  const text = await res.text();
  return res.status === 200 ? 'ok' : (/<Code>([^<]*)</.exec(text)?.[1] ?? String(res.status));
}

async function partsOf(Bucket: string, UploadId: string): Promise<number> {
  return ((await s3.send(new ListPartsCommand({ Bucket, Key: 'm', UploadId }))).Parts ?? []).length;
}

describe('UploadPart on a bucket with object lock', () => {
  it('needs Content-MD5 or a checksum when the bucket default retention will apply', async () => {
    await lockedBucket('parts-default', 1);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'parts-default', Key: 'm' }),
    );
    expect(await partOutcome('parts-default', UploadId!, {})).toBe('InvalidRequest');
    expect(await partsOf('parts-default', UploadId!)).toBe(0);
    expect(await partOutcome('parts-default', UploadId!, { 'content-md5': md5('nope') })).toBe(
      'BadDigest',
    );
    expect(await partOutcome('parts-default', UploadId!, { 'content-md5': md5('part') })).toBe(
      'ok',
    );
    const sha = createHash('sha256').update('part').digest('base64');
    expect(await partOutcome('parts-default', UploadId!, { 'x-amz-checksum-sha256': sha })).toBe(
      'ok',
    );
  });

  it('needs none without a retention period to come', async () => {
    await lockedBucket('parts-none');
    const plain = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'parts-none', Key: 'm' }),
    );
    expect(await partOutcome('parts-none', plain.UploadId!, {})).toBe('ok');
    const held = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'parts-none',
        Key: 'm',
        ObjectLockLegalHoldStatus: 'ON',
      }),
    );
    expect(await partOutcome('parts-none', held.UploadId!, {})).toBe('ok');
    const retained = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'parts-none',
        Key: 'm',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: new Date('2099-01-01T00:00:00Z'),
      }),
    );
    expect(await partOutcome('parts-none', retained.UploadId!, {})).toBe('InvalidRequest');
  });
});
