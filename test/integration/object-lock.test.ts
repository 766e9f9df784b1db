/**
 * S3 object lock against a real `cairn start`, through @aws-sdk/client-s3 (and signed raw
 * requests where a test needs a header the SDK computes): a bucket created with object lock,
 * its configuration and default retention, retention and legal hold per version, deletes a
 * lock refuses (the bucket owner included) and the GOVERNANCE bypass, lock headers on
 * writes, bad input refused with nothing changed, and garbage collection and the orphan
 * sweeper leaving a locked version's blocks alone. The expectations are AWS's documented
 * behaviour (S3 User Guide, "Locking objects with Object Lock").
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { codeOf, s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const BLOCK_BYTES = 64 * 1024;
let server: CairnProcess;
let s3: S3Client;

useCairn(
  {
    buckets: ['plain'],
    args: ['--gc-leeway', '0', '--gc-interval', 'infinity', '--block-size', String(BLOCK_BYTES)],
  },
  (started) => {
    ({ server, s3 } = started);
  },
);

const FAR = new Date('2099-01-01T00:00:00.000Z');
const md5 = (text: string) => createHash('md5').update(text).digest('base64');

async function lockedBucket(Bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
}

async function put(Bucket: string, Key: string, Body: string | Buffer, extra = {}) {
  return (await s3.send(new PutObjectCommand({ Bucket, Key, Body, ...extra }))).VersionId!;
}

const retain = (Bucket: string, Key: string, VersionId: string, mode: string, until: Date) =>
  s3.send(
    new PutObjectRetentionCommand({
      Bucket,
      Key,
      VersionId,
      Retention: { Mode: mode as 'GOVERNANCE', RetainUntilDate: until },
    }),
  );

const remove = (Bucket: string, Key: string, VersionId: string, bypass = false) =>
  s3.send(
    new DeleteObjectCommand({
      Bucket,
      Key,
      VersionId,
      ...(bypass ? { BypassGovernanceRetention: true } : {}),
    }),
  );

const raw = (path: string, options: { method?: string; body?: string; headers?: object } = {}) =>
  signedFetch(server.url, path, {
    ...options,
    credentials: { keyId: server.keyId, secret: server.secret },
  } as Parameters<typeof signedFetch>[2]);

describe('object lock: the bucket', () => {
  it('creating with lock turns versioning on for good; configuration round-trips', async () => {
    await lockedBucket('lk-conf');
    const suspend = s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'lk-conf',
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );
    expect(await s3ErrorOf(suspend)).toEqual({ name: 'InvalidBucketState', status: 409 });
    const got = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lk-conf' }));
    expect(got.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
    const conf = {
      ObjectLockEnabled: 'Enabled' as const,
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE' as const, Years: 2 } },
    };
    await s3.send(
      new PutObjectLockConfigurationCommand({ Bucket: 'lk-conf', ObjectLockConfiguration: conf }),
    );
    const again = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lk-conf' }));
    expect(again.ObjectLockConfiguration).toEqual(conf);
  });

  it('bad configurations are refused with AWS codes, nothing changed', async () => {
    await lockedBucket('lk-badconf');
    const send = (DefaultRetention: object, ObjectLockEnabled = 'Enabled') =>
      codeOf(
        s3.send(
          new PutObjectLockConfigurationCommand({
            Bucket: 'lk-badconf',
            ObjectLockConfiguration: {
              ObjectLockEnabled: ObjectLockEnabled as 'Enabled',
              Rule: { DefaultRetention },
            },
          }),
        ),
      );
    expect(await send({ Mode: 'GOVERNANCE', Days: 1, Years: 1 })).toBe('MalformedXML');
    expect(await send({ Mode: 'GOVERNANCE' })).toBe('MalformedXML');
    expect(await send({ Mode: 'governance', Days: 1 })).toBe('MalformedXML');
    expect(await send({ Mode: 'GOVERNANCE', Days: 0 })).toBe('InvalidRetentionPeriod');
    expect(await send({ Mode: 'GOVERNANCE', Years: -1 })).toBe('InvalidRetentionPeriod');
    expect(await send({ Mode: 'GOVERNANCE', Days: 1 }, 'Disabled')).toBe('MalformedXML');
    const got = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lk-badconf' }));
    expect(got.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
  });

  it('a bucket without lock: InvalidBucketState, NotFound, InvalidRequest', async () => {
    const conf = { ObjectLockEnabled: 'Enabled' as const };
    const putConf = s3.send(
      new PutObjectLockConfigurationCommand({ Bucket: 'plain', ObjectLockConfiguration: conf }),
    );
    expect(await s3ErrorOf(putConf)).toEqual({ name: 'InvalidBucketState', status: 409 });
    const getConf = s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'plain' }));
    expect(await s3ErrorOf(getConf)).toEqual({
      name: 'ObjectLockConfigurationNotFoundError',
      status: 404,
    });
    await put('plain', 'k', 'x');
    const hold = s3.send(
      new PutObjectLegalHoldCommand({ Bucket: 'plain', Key: 'k', LegalHold: { Status: 'ON' } }),
    );
    expect(await s3ErrorOf(hold)).toEqual({ name: 'InvalidRequest', status: 400 });
    const locked = put('plain', 'k2', 'x', { ObjectLockLegalHoldStatus: 'ON' });
    expect(await s3ErrorOf(locked)).toEqual({ name: 'InvalidRequest', status: 400 });
    expect(await codeOf(s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'k2' })))).toBe(
      'NotFound',
    );
  });
});

describe('object lock: versions', () => {
  it('retention: extend freely, shorten only with the bypass, COMPLIANCE never', async () => {
    await lockedBucket('lk-ret');
    const v1 = await put('lk-ret', 'g', 'governed');
    const soon = new Date(Date.now() + 3_600_000);
    await retain('lk-ret', 'g', v1, 'GOVERNANCE', soon);
    await retain('lk-ret', 'g', v1, 'GOVERNANCE', FAR);
    const shorten = retain('lk-ret', 'g', v1, 'GOVERNANCE', soon);
    expect(await s3ErrorOf(shorten)).toEqual({ name: 'AccessDenied', status: 403 });
    const got = await s3.send(
      new GetObjectRetentionCommand({ Bucket: 'lk-ret', Key: 'g', VersionId: v1 }),
    );
    expect(got.Retention).toEqual({ Mode: 'GOVERNANCE', RetainUntilDate: FAR });
    const v2 = await put('lk-ret', 'c', 'complied', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: FAR,
    });
    for (const [mode, until] of [
      ['COMPLIANCE', soon],
      ['GOVERNANCE', FAR],
    ] as const) {
      const change = s3.send(
        new PutObjectRetentionCommand({
          Bucket: 'lk-ret',
          Key: 'c',
          VersionId: v2,
          BypassGovernanceRetention: true,
          Retention: { Mode: mode, RetainUntilDate: until },
        }),
      );
      expect(await s3ErrorOf(change)).toEqual({ name: 'AccessDenied', status: 403 });
    }
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'lk-ret', Key: 'c' }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate).toEqual(FAR);
    expect(await s3ErrorOf(remove('lk-ret', 'c', v2, true))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    const past = retain('lk-ret', 'g', v1, 'GOVERNANCE', new Date(Date.now() - 60_000));
    expect(await s3ErrorOf(past)).toEqual({ name: 'InvalidArgument', status: 400 });
  });

  it('a locked version is not deleted; a plain delete writes a marker; bypass does', async () => {
    await lockedBucket('lk-del');
    const v = await put('lk-del', 'k', 'kept', {
      ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: FAR,
    });
    expect(await s3ErrorOf(remove('lk-del', 'k', v))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'lk-del', Key: 'k' }));
    expect(marker.DeleteMarker).toBe(true);
    const batch = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'lk-del',
        Delete: { Objects: [{ Key: 'k', VersionId: v }] },
      }),
    );
    expect(batch.Errors?.map((e) => [e.Key, e.VersionId, e.Code])).toEqual([
      ['k', v, 'AccessDenied'],
    ]);
    const read = await s3.send(new GetObjectCommand({ Bucket: 'lk-del', Key: 'k', VersionId: v }));
    expect(await read.Body!.transformToString()).toBe('kept');
    expect(await codeOf(remove('lk-del', 'k', v, true))).toBe('ok');
  });

  it('legal hold: ON blocks even the bypass, OFF releases; bad status MalformedXML', async () => {
    await lockedBucket('lk-hold');
    const v = await put('lk-hold', 'h', 'held');
    const hold = (Status: string) =>
      s3.send(
        new PutObjectLegalHoldCommand({
          Bucket: 'lk-hold',
          Key: 'h',
          LegalHold: { Status: Status as 'ON' },
        }),
      );
    await hold('ON');
    expect(await codeOf(remove('lk-hold', 'h', v, true))).toBe('AccessDenied');
    expect(await codeOf(hold('on'))).toBe('MalformedXML');
    const got = await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'lk-hold', Key: 'h' }));
    expect(got.LegalHold?.Status).toBe('ON');
    await hold('OFF');
    expect(await codeOf(remove('lk-hold', 'h', v))).toBe('ok');
  });

  it('default retention applies to PUT, copy and multipart; lock headers override it', async () => {
    await lockedBucket('lk-def');
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: 'lk-def',
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        },
      }),
    );
    const before = Date.now();
    await put('lk-def', 'a', 'a');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'lk-def', Key: 'a' }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    const until = head.ObjectLockRetainUntilDate!.getTime();
    expect(until).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
    expect(until).toBeLessThan(Date.now() + 86_400_000 + 1000);
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'lk-def',
        Key: 'b',
        CopySource: 'lk-def/a',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: FAR,
      }),
    );
    const copied = await s3.send(new HeadObjectCommand({ Bucket: 'lk-def', Key: 'b' }));
    expect([copied.ObjectLockMode, copied.ObjectLockRetainUntilDate]).toEqual(['COMPLIANCE', FAR]);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'lk-def',
        Key: 'm',
        ObjectLockLegalHoldStatus: 'ON',
      }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'lk-def', Key: 'm', UploadId, PartNumber: 1, Body: 'p' }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'lk-def',
        Key: 'm',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    const mp = await s3.send(new HeadObjectCommand({ Bucket: 'lk-def', Key: 'm' }));
    expect([mp.ObjectLockLegalHoldStatus, mp.ObjectLockMode]).toEqual(['ON', 'GOVERNANCE']);
    expect(await codeOf(remove('lk-def', 'm', done.VersionId!, true))).toBe('AccessDenied');
  });

  it('a PUT with lock settings needs Content-MD5 or a checksum; bad headers refused', async () => {
    await lockedBucket('lk-md5');
    const lockHeaders = {
      'x-amz-object-lock-mode': 'GOVERNANCE',
      'x-amz-object-lock-retain-until-date': FAR.toISOString(),
    };
    const bare = await raw('/lk-md5/x', { method: 'PUT', body: 'x', headers: lockHeaders });
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain('<Code>InvalidRequest</Code>');
    const withMd5 = { ...lockHeaders, 'content-md5': md5('x') };
    expect((await raw('/lk-md5/x', { method: 'PUT', body: 'x', headers: withMd5 })).status).toBe(
      200,
    );
    const bad: Record<string, string>[] = [
      { 'x-amz-object-lock-mode': 'GOVERNANCE' },
      { ...withMd5, 'x-amz-object-lock-mode': 'governance' },
      { ...withMd5, 'x-amz-object-lock-retain-until-date': '2000-01-01T00:00:00Z' },
      { 'content-md5': md5('x'), 'x-amz-object-lock-legal-hold': 'YES' },
    ];
    for (const headers of bad) {
      const res = await raw('/lk-md5/y', { method: 'PUT', body: 'x', headers });
      expect(await res.text(), JSON.stringify(headers)).toContain('<Code>InvalidArgument</Code>');
    }
    expect(await codeOf(s3.send(new HeadObjectCommand({ Bucket: 'lk-md5', Key: 'y' })))).toBe(
      'NotFound',
    );
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'lk-md5',
        Key: 'mp',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: FAR,
      }),
    );
    const partPath = `/lk-md5/mp?partNumber=1&uploadId=${encodeURIComponent(UploadId!)}`;
    const barePart = await raw(partPath, { method: 'PUT', body: 'p' });
    expect(await barePart.text()).toContain('<Code>InvalidRequest</Code>');
    const part = await raw(partPath, {
      method: 'PUT',
      body: 'p',
      headers: { 'content-md5': md5('p') },
    });
    expect(part.status).toBe(200);
  });
});

describe('object lock: garbage collection and bucket deletion', () => {
  it('GC with zero leeway and the orphan sweeper leave a locked version readable', async () => {
    await lockedBucket('lk-gc');
    const body = Buffer.alloc(5 * BLOCK_BYTES, 7);
    const v = await put('lk-gc', 'big', body, {
      ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: FAR,
    });
    await put('lk-gc', 'big', 'newer'); // the locked version becomes noncurrent
    await s3.send(new DeleteObjectCommand({ Bucket: 'lk-gc', Key: 'big' })); // and hidden
    expect(await codeOf(remove('lk-gc', 'big', v))).toBe('AccessDenied');
    // A control: an unlocked version removed beside it is collected in the same pass.
    const gone = await put('lk-gc', 'gone', Buffer.alloc(5 * BLOCK_BYTES, 9));
    await remove('lk-gc', 'gone', gone);
    const gc = await signedFetch(server.url, '/riak-cs/gc', {
      method: 'POST',
      credentials: { keyId: server.keyId, secret: server.secret },
    });
    expect(gc.status).toBe(200);
    const ran = (await gc.json()) as { collected: number; sweep?: unknown };
    expect(ran.sweep).toBeDefined();
    expect(ran.collected).toBeGreaterThanOrEqual(1);
    const read = await s3.send(new GetObjectCommand({ Bucket: 'lk-gc', Key: 'big', VersionId: v }));
    const bytes = Buffer.from(await read.Body!.transformToByteArray());
    expect(bytes.equals(body)).toBe(true);
  });

  it('a bucket holding locked versions is not empty', async () => {
    await lockedBucket('lk-bucket');
    await put('lk-bucket', 'k', 'x', { ObjectLockLegalHoldStatus: 'ON' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'lk-bucket', Key: 'k' }));
    expect(await s3ErrorOf(s3.send(new DeleteBucketCommand({ Bucket: 'lk-bucket' })))).toEqual({
      name: 'BucketNotEmpty',
      status: 409,
    });
  });
});
