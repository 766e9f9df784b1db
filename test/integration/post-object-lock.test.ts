/**
 * Browser POST with object lock against a real `cairn start`: SigV4-signed forms whose
 * x-amz-object-lock-* fields lock the new version as PutObject's headers do, the policy's
 * conditions naming those fields, Content-MD5 (checked against the file) or a checksum
 * required when the version gets retention (its own or the bucket default's), and AWS's
 * refusals (no lock on the bucket, bad values) storing nothing.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { codeOf } from '../helpers/s3-errors.js';
import { postForm, signedPostFields } from '../helpers/post-form.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['plain-forms'] }, (started) => ({ server, s3 } = started));

const FAR = '2099-01-01T00:00:00.000Z';
const md5 = (text: string) => createHash('md5').update(text).digest('base64');
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

/** Signs a form whose policy names every field sent (as eq conditions) and posts it. */
function postAll(bucket: string, fields: Record<string, string>, data: string) {
  const conditions = [{ bucket }, ...Object.entries(fields).map(([k, v]) => ({ [k]: v }))];
  return postForm(
    new URL(`/${bucket}`, server.url),
    signedPostFields(server, conditions, fields),
    data,
  );
}

async function errorCode(res: Response): Promise<string> {
  return /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1] ?? `status ${res.status}`;
}

async function exists(Bucket: string, Key: string): Promise<boolean> {
  return (await codeOf(s3.send(new HeadObjectCommand({ Bucket, Key })))) === 'ok';
}

async function lockedBucket(Bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
}

const RETENTION = {
  'x-amz-object-lock-mode': 'GOVERNANCE',
  'x-amz-object-lock-retain-until-date': FAR,
};

describe('browser POST with object lock fields', () => {
  it('locks the new version with retention and legal hold the policy allows', async () => {
    await lockedBucket('post-lock');
    const fields = {
      key: 'held',
      ...RETENTION,
      'x-amz-object-lock-legal-hold': 'ON',
      'content-md5': md5('locked'),
    };
    const res = await postAll('post-lock', fields, 'locked');
    expect(res.status).toBe(204);
    const versionId = res.headers.get('x-amz-version-id')!;
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'post-lock', Key: 'held' }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(FAR);
    expect(head.ObjectLockLegalHoldStatus).toBe('ON');
    const retention = await s3.send(
      new GetObjectRetentionCommand({ Bucket: 'post-lock', Key: 'held', VersionId: versionId }),
    );
    expect(retention.Retention?.Mode).toBe('GOVERNANCE');
    const remove = new DeleteObjectCommand({
      Bucket: 'post-lock',
      Key: 'held',
      VersionId: versionId,
    });
    expect(await codeOf(s3.send(remove))).toBe('AccessDenied');
  });

  it('a policy condition on a lock field is enforced, and an unnamed one is extra', async () => {
    await lockedBucket('post-policy');
    const url = new URL('/post-policy', server.url);
    const fields = { key: 'k', ...RETENTION, 'content-md5': md5('x') };
    const conditions = (mode: string) => [
      { bucket: 'post-policy' },
      { key: 'k' },
      { 'content-md5': md5('x') },
      ['eq', '$x-amz-object-lock-mode', mode],
      ['starts-with', '$x-amz-object-lock-retain-until-date', '2099-'],
    ];
    const wrongMode = await postForm(
      url,
      signedPostFields(server, conditions('COMPLIANCE'), fields),
      'x',
    );
    expect(wrongMode.status).toBe(403);
    expect(await wrongMode.text()).toContain('x-amz-object-lock-mode');
    const unnamed = conditions('GOVERNANCE').filter((c) => !JSON.stringify(c).includes('until'));
    const extra = await postForm(url, signedPostFields(server, unnamed, fields), 'x');
    expect(extra.status).toBe(403);
    expect(await extra.text()).toContain('Extra input fields: x-amz-object-lock-retain-until');
    expect(await exists('post-policy', 'k')).toBe(false);
    const allowed = signedPostFields(server, conditions('GOVERNANCE'), fields);
    expect((await postForm(url, allowed, 'x')).status).toBe(204);
    expect(await exists('post-policy', 'k')).toBe(true);
  });

  it('retention needs Content-MD5 or a checksum, and the MD5 must match', async () => {
    await lockedBucket('post-md5');
    const bare = await postAll('post-md5', { key: 'a', ...RETENTION }, 'data');
    expect(await errorCode(bare)).toBe('InvalidRequest');
    const wrong = await postAll(
      'post-md5',
      { key: 'b', ...RETENTION, 'content-md5': md5('x') },
      'data',
    );
    expect(await errorCode(wrong)).toBe('BadDigest');
    const malformedMd5 = await postAll(
      'post-md5',
      { key: 'c', ...RETENTION, 'content-md5': 'no' },
      'x',
    );
    expect(await errorCode(malformedMd5)).toBe('InvalidDigest');
    for (const key of ['a', 'b', 'c']) expect(await exists('post-md5', key)).toBe(false);
    const checksum = { key: 'd', ...RETENTION, 'x-amz-checksum-sha256': sha256('data') };
    expect((await postAll('post-md5', checksum, 'data')).status).toBe(204);
    // A legal hold alone sets no retention: no integrity field needed, as on PutObject.
    const hold = await postAll('post-md5', { key: 'e', 'x-amz-object-lock-legal-hold': 'ON' }, 'x');
    expect(hold.status).toBe(204);
  });

  it('the bucket default retention needs an integrity field and locks the version', async () => {
    await lockedBucket('post-default');
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: 'post-default',
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        },
      }),
    );
    expect(await errorCode(await postAll('post-default', { key: 'a' }, 'x'))).toBe(
      'InvalidRequest',
    );
    expect(await exists('post-default', 'a')).toBe(false);
    const res = await postAll('post-default', { key: 'b', 'content-md5': md5('x') }, 'x');
    expect(res.status).toBe(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'post-default', Key: 'b' }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
  });

  it('refuses lock fields as AWS does, storing nothing', async () => {
    await lockedBucket('post-bad');
    const cases: Array<[string, Record<string, string>, string]> = [
      ['plain-forms', { ...RETENTION, 'content-md5': md5('x') }, 'InvalidRequest'],
      ['plain-forms', { 'x-amz-object-lock-legal-hold': 'ON' }, 'InvalidRequest'],
      [
        'post-bad',
        { 'x-amz-object-lock-mode': 'GOVERNANCE', 'content-md5': md5('x') },
        'InvalidArgument',
      ],
      ['post-bad', { ...RETENTION, 'x-amz-object-lock-mode': 'FOREVER' }, 'InvalidArgument'],
      [
        'post-bad',
        { ...RETENTION, 'x-amz-object-lock-retain-until-date': '2001-01-01T00:00:00Z' },
        'InvalidArgument',
      ],
      ['post-bad', { 'x-amz-object-lock-legal-hold': 'on' }, 'InvalidArgument'],
      ['post-bad', { 'x-amz-bypass-governance-retention': 'true' }, 'NotImplemented'],
    ];
    for (const [i, [bucket, fields, code]] of cases.entries()) {
      const res = await postAll(bucket, { key: `k${i}`, ...fields }, 'x');
      expect(await errorCode(res), JSON.stringify(fields)).toBe(code);
      expect(await exists(bucket, `k${i}`)).toBe(false);
    }
  });
});
