/**
 * POST upload policies and signatures: parsing, expiry, eq / starts-with /
 * content-length-range, the extra-field rule, and SigV4 / SigV2 form signatures
 * (including a property: any change to the signed policy is refused).
 */
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPostSignature } from '../../../src/auth/post-signature.js';
import { deriveSigningKeyV4 } from '../../../src/auth/sigv4.js';
import { checkPostPolicy, parsePostPolicy } from '../../../src/s3/post-policy.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const b64 = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64');

function policyOf(conditions: unknown[], expiration = '2026-03-01T13:00:00.000Z') {
  return parsePostPolicy(b64({ expiration, conditions }));
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('post-policy: parsePostPolicy', () => {
  it('reads the three condition forms', () => {
    const policy = policyOf([
      { bucket: 'b' },
      ['starts-with', '$Key', 'user/'],
      ['eq', '$x-amz-meta-tag', 'v'],
      ['content-length-range', 1, '100'],
    ]);
    expect(policy.expirationMs).toBe(NOW + 3600_000);
    expect(policy.conditions).toEqual([
      { kind: 'eq', field: 'bucket', value: 'b' },
      { kind: 'starts-with', field: 'key', value: 'user/' },
      { kind: 'eq', field: 'x-amz-meta-tag', value: 'v' },
      { kind: 'content-length-range', min: 1, max: 100 },
    ]);
  });

  it('refuses broken documents with InvalidPolicyDocument', () => {
    const bad = [
      'not base64 json',
      b64({ conditions: [] }),
      b64({ expiration: 'soon', conditions: [] }),
      b64({ expiration: '2026-03-01T13:00:00Z' }),
      b64({ expiration: '2026-03-01T13:00:00Z', conditions: [['eq', 'key', 'x']] }),
      b64({ expiration: '2026-03-01T13:00:00Z', conditions: [['content-length-range', 5, 1]] }),
      b64({ expiration: '2026-03-01T13:00:00Z', conditions: [['between', '$a', 'b']] }),
      b64({ expiration: '2026-03-01T13:00:00Z', conditions: [{ a: 'b', c: 'd' }] }),
    ];
    for (const text of bad)
      expect(
        codeOf(() => parsePostPolicy(text)),
        text,
      ).toBe('InvalidPolicyDocument');
  });
});

describe('post-policy: checkPostPolicy', () => {
  const fields = (entries: Record<string, string>) => new Map(Object.entries(entries));
  const base = {
    key: 'user/a.txt',
    policy: 'p',
    'x-amz-signature': 's',
    'content-type': 'text/plain',
  };
  const policy = policyOf([
    { bucket: 'photos' },
    ['starts-with', '$key', 'user/'],
    ['starts-with', '$Content-Type', 'text/'],
    ['content-length-range', 10, 1000],
  ]);

  it('passes a form that meets every condition and returns the size range', () => {
    expect(checkPostPolicy(policy, fields(base), 'photos', NOW)).toEqual({
      sizeMin: 10,
      sizeMax: 1000,
    });
  });

  it('refuses an expired policy, a failed condition and extra fields', () => {
    const run = (f: Record<string, string>, bucket = 'photos', now = NOW) =>
      codeOf(() => checkPostPolicy(policy, fields(f), bucket, now));
    expect(run(base, 'photos', NOW + 3600_000)).toBe('AccessDenied');
    expect(run({ ...base, key: 'admin/a' })).toBe('AccessDenied');
    expect(run(base, 'other')).toBe('AccessDenied');
    expect(run({ ...base, 'content-type': 'text/plain,image/png' })).toBe('AccessDenied');
    expect(run({ ...base, 'x-amz-meta-sneaky': '1' })).toBe('AccessDenied');
    expect(run({ ...base, 'x-ignore-me': '1' })).toBeUndefined();
    const { key: _key, ...noKey } = base;
    expect(run(noKey)).toBe('AccessDenied');
  });

  it('lets x-amz-checksum-* fields through unnamed: they can only refuse an upload', () => {
    const run = (f: Record<string, string>) =>
      codeOf(() => checkPostPolicy(policy, fields(f), 'photos', NOW));
    expect(run({ ...base, 'x-amz-checksum-sha256': 'abc=' })).toBeUndefined();
    expect(run({ ...base, 'x-amz-checksum-algorithm': 'SHA256' })).toBeUndefined();
    expect(run({ ...base, 'x-amz-checksumsha256': 'abc=' })).toBe('AccessDenied');
  });
});

describe('post-policy: expiration', () => {
  it.each([
    ['2026-03-01T13:00:00Z', NOW + 3600_000],
    ['2026-03-01T13:00:00.000Z', NOW + 3600_000],
    ['2026-03-01T13:00:00.5Z', NOW + 3600_500],
  ])('takes ISO 8601 UTC %s', (expiration, ms) => {
    expect(policyOf([], expiration).expirationMs).toBe(ms);
  });

  it.each([
    '2026-03-01 13:00:00+00:00',
    '2026-03-01 13:00:00.123456+00:00',
    '2026-03-01T13:00:00+00:00',
    '2026-03-01',
    'Sun, 01 Mar 2026 13:00:00 GMT',
    '2026-03-01T13:00:00',
  ])('refuses %s (InvalidPolicyDocument)', (expiration) => {
    expect(codeOf(() => policyOf([], expiration))).toBe('InvalidPolicyDocument');
  });
});

describe('post-signature', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const lookup = async (id: string) =>
    id === 'AKID' ? { accessKeyId: 'AKID', secretAccessKey: secret } : undefined;
  const scope = { date: '20260301', region: 'us-east-1', service: 's3' };
  const signV4 = (policy: string) =>
    createHmac('sha256', deriveSigningKeyV4(secret, scope)).update(policy).digest('hex');
  const v4Fields = (policy: string, signature = signV4(policy)) =>
    new Map([
      ['policy', policy],
      ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
      ['x-amz-credential', 'AKID/20260301/us-east-1/s3/aws4_request'],
      ['x-amz-date', '20260301T120000Z'],
      ['x-amz-signature', signature],
    ]);
  const failure = async (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: { code?: string }) => error.code,
    );

  it('accepts SigV4 and SigV2 signatures over the base64 policy', async () => {
    const policy = b64({ expiration: '2026-03-01T13:00:00Z', conditions: [] });
    expect(await verifyPostSignature(v4Fields(policy), lookup)).toEqual({
      accessKeyId: 'AKID',
      signatureVersion: 'v4',
    });
    const v2 = createHmac('sha1', secret).update(policy).digest('base64');
    const v2Fields = new Map([
      ['policy', policy],
      ['awsaccesskeyid', 'AKID'],
      ['signature', v2],
    ]);
    expect((await verifyPostSignature(v2Fields, lookup))?.signatureVersion).toBe('v2');
    expect(await verifyPostSignature(new Map([['key', 'k']]), lookup)).toBeUndefined();
  });

  it('refuses any change to the signed policy (property)', async () => {
    const policy = b64({ expiration: '2026-03-01T13:00:00Z', conditions: [{ bucket: 'b' }] });
    const signature = signV4(policy);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), async (other) => {
        fc.pre(other !== policy);
        expect(await failure(verifyPostSignature(v4Fields(other, signature), lookup))).toBe(
          'SignatureDoesNotMatch',
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses unknown keys, bad dates and missing policies', async () => {
    const policy = b64({ expiration: '2026-03-01T13:00:00Z', conditions: [] });
    const unknown = v4Fields(policy);
    unknown.set('x-amz-credential', 'NOPE/20260301/us-east-1/s3/aws4_request');
    expect(await failure(verifyPostSignature(unknown, lookup))).toBe('InvalidAccessKeyId');
    const wrongDate = v4Fields(policy);
    wrongDate.set('x-amz-date', '20260302T120000Z');
    expect(await failure(verifyPostSignature(wrongDate, lookup))).toBe('InvalidArgument');
    const noPolicy = v4Fields(policy);
    noPolicy.delete('policy');
    expect(await failure(verifyPostSignature(noPolicy, lookup))).toBe('InvalidArgument');
  });
});
