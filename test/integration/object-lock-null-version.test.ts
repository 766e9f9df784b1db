/**
 * Object lock on the null version against a real `cairn start`: an object written before
 * its bucket was versioned (no version record) takes retention and a legal hold, with or
 * without `versionId=null`, as AWS allows; the lock then holds it against deletes, survives
 * later versions of the key, and listing shows it once as the `null` version.
 */
import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useCairn } from '../helpers/cairn-process.js';
import { codeOf } from '../helpers/s3-errors.js';

let s3: S3Client;

useCairn({ buckets: ['older'] }, (started) => ({ s3 } = started));

const Bucket = 'older';
const FAR = new Date('2099-01-01T00:00:00.000Z');

/** Writes `keys` unversioned, then turns versioning and object lock on. */
async function lockAfterWrites(keys: string[]): Promise<void> {
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
    }),
  );
}

async function versionsOf(Key: string) {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }));
  return (listed.Versions ?? []).filter((v) => v.Key === Key);
}

describe('object lock on a null version written before versioning', () => {
  it('takes a legal hold and retention, with and without versionId=null', async () => {
    await lockAfterWrites(['held', 'kept', 'plain']);
    // Reading a lock needs no record: the object has none.
    const noRetention = s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'held' }));
    expect(await codeOf(noRetention)).toBe('NoSuchObjectLockConfiguration');
    const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'held' }));
    expect(hold.LegalHold?.Status).toBe('OFF');
    await s3.send(
      new PutObjectLegalHoldCommand({ Bucket, Key: 'held', LegalHold: { Status: 'ON' } }),
    );
    const retention = { Mode: 'GOVERNANCE' as const, RetainUntilDate: FAR };
    await s3.send(
      new PutObjectRetentionCommand({
        Bucket,
        Key: 'kept',
        VersionId: 'null',
        Retention: retention,
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'held', VersionId: 'null' }));
    expect(head.ObjectLockLegalHoldStatus).toBe('ON');
    expect(head.VersionId).toBe('null');
    const got = await s3.send(
      new GetObjectRetentionCommand({ Bucket, Key: 'kept', VersionId: 'null' }),
    );
    expect(got.Retention).toEqual(retention);
    for (const Key of ['held', 'kept']) {
      const remove = new DeleteObjectCommand({ Bucket, Key, VersionId: 'null' });
      expect(await codeOf(s3.send(remove)), Key).toBe('AccessDenied');
      expect(await versionsOf(Key)).toMatchObject([{ VersionId: 'null', IsLatest: true }]);
    }
    // An object no lock was put on is still removed for good.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'plain', VersionId: 'null' }));
    expect(await versionsOf('plain')).toEqual([]);
  });

  it('the lock outlives newer versions and is lifted by its own rules', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'held', Body: 'newer' }));
    const versions = await versionsOf('held');
    expect(versions.map((v) => [v.VersionId === 'null', v.IsLatest])).toEqual([
      [false, true],
      [true, false],
    ]);
    const old = await s3.send(new HeadObjectCommand({ Bucket, Key: 'held', VersionId: 'null' }));
    expect(old.ObjectLockLegalHoldStatus).toBe('ON');
    const removeNull = new DeleteObjectCommand({ Bucket, Key: 'held', VersionId: 'null' });
    expect(await codeOf(s3.send(removeNull))).toBe('AccessDenied');
    await s3.send(
      new PutObjectLegalHoldCommand({
        Bucket,
        Key: 'held',
        VersionId: 'null',
        LegalHold: { Status: 'OFF' },
      }),
    );
    await s3.send(removeNull);
    expect((await versionsOf('held')).map((v) => v.VersionId === 'null')).toEqual([false]);
  });

  it('refuses bad input on such an object with nothing changed', async () => {
    const past = { Mode: 'GOVERNANCE' as const, RetainUntilDate: new Date('2001-01-01') };
    const key = { Bucket, Key: 'kept', VersionId: 'null' };
    const shorten = s3.send(new PutObjectRetentionCommand({ ...key, Retention: past }));
    expect(await codeOf(shorten)).toBe('InvalidArgument');
    const still = await s3.send(new GetObjectRetentionCommand(key));
    expect(still.Retention?.RetainUntilDate).toEqual(FAR);
    const missing = new PutObjectLegalHoldCommand({
      Bucket,
      Key: 'absent',
      VersionId: 'null',
      LegalHold: { Status: 'ON' },
    });
    expect(await codeOf(s3.send(missing))).toBe('NoSuchVersion');
  });
});
