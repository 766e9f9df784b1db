// authenticate: dispatch between the mechanisms, and every refusal it can give (skew, expiry,
// unknown keys, malformed headers and query parameters, mixed mechanisms).

import { describe, expect, it } from 'vitest';

import {
  authenticate,
  presignV4,
  signV4,
  type AuthResult,
  type SignedRequest,
} from '../../../src/auth/index.js';
import { S3_DOC_CREDENTIALS, at, lookupOf } from './fixtures.js';

const NOW = at('2025-03-01T10:00:00Z');
const LOOKUP = lookupOf(S3_DOC_CREDENTIALS);
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function signed(
  rawUrl: string,
  extra: Record<string, string> = {},
  signedAtMs = NOW,
  payload = EMPTY,
): SignedRequest {
  const headers = { host: 'localhost:8080', ...extra };
  const added = signV4(
    { method: 'GET', url: rawUrl, headers, payloadSha256Hex: payload },
    S3_DOC_CREDENTIALS,
    'garage',
    signedAtMs,
  );
  return { method: 'GET', rawUrl, headers: { ...headers, ...added } };
}

function withHeader(req: SignedRequest, name: string, value: string | undefined): SignedRequest {
  return { ...req, headers: { ...req.headers, [name]: value } };
}

function failureCode(result: AuthResult): string | undefined {
  return result.ok ? undefined : result.failure.code;
}

describe('authenticate: dispatch', () => {
  it('authenticate: no credentials is anonymous', async () => {
    const result = await authenticate(
      { method: 'GET', rawUrl: '/bkt/key?acl', headers: { host: 'x' } },
      NOW,
      LOOKUP,
    );
    expect(result).toEqual({
      ok: true,
      anonymous: true,
      accessKeyId: undefined,
      payload: { kind: 'none' },
    });
  });

  it('authenticate: anonymous unsigned aws-chunked body still gets decoded', async () => {
    const result = await authenticate(
      {
        method: 'PUT',
        rawUrl: '/bkt/key',
        headers: {
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'x-amz-trailer': 'x-amz-checksum-crc32',
          'x-amz-decoded-content-length': '12',
        },
      },
      NOW,
      LOOKUP,
    );
    expect(result.ok && result.payload).toEqual({
      kind: 'streaming-unsigned-trailer',
      trailerNames: ['x-amz-checksum-crc32'],
      decodedContentLengthBytes: 12,
    });
  });

  it('authenticate: v4 header with any region (region comes from the scope)', async () => {
    const result = await authenticate(signed('/bkt/k'), NOW, LOOKUP);
    expect(result).toMatchObject({ ok: true, signatureVersion: 'v4', presigned: false });
    expect(result.ok && result.payload).toEqual({ kind: 'signed-sha256', sha256Hex: EMPTY });
  });

  it('authenticate: UNSIGNED-PAYLOAD and streaming payload modes', async () => {
    const unsigned = await authenticate(signed('/bkt/k', {}, NOW, 'UNSIGNED-PAYLOAD'), NOW, LOOKUP);
    expect(unsigned.ok && unsigned.payload).toEqual({ kind: 'unsigned' });
    const streaming = await authenticate(
      signed(
        '/bkt/k',
        { 'x-amz-decoded-content-length': '5', 'content-encoding': 'aws-chunked' },
        NOW,
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      ),
      NOW,
      LOOKUP,
    );
    expect(streaming.ok && streaming.payload).toMatchObject({
      kind: 'streaming-signed',
      scope: '20250301/garage/s3/aws4_request',
      amzDate: '20250301T100000Z',
      trailer: false,
      decodedContentLengthBytes: 5,
    });
  });
});

describe('authenticate: mechanism errors', () => {
  it('authenticate: both a header and a presigned query is InvalidArgument', async () => {
    const req = signed('/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect(failureCode(await authenticate(req, NOW, LOOKUP))).toBe('InvalidArgument');
  });

  it('authenticate: an unknown authorization scheme is InvalidArgument', async () => {
    const req = { method: 'GET', rawUrl: '/', headers: { authorization: 'Bearer abc' } };
    expect(failureCode(await authenticate(req, NOW, LOOKUP))).toBe('InvalidArgument');
  });
});

describe('authenticate: v4 header refusals', () => {
  it('authenticate: clock skew over 15 minutes is RequestTimeTooSkewed', async () => {
    const early = signed('/bkt/k', {}, NOW - 15 * 60 * 1000 - 1000);
    expect(failureCode(await authenticate(early, NOW, LOOKUP))).toBe('RequestTimeTooSkewed');
    const late = signed('/bkt/k', {}, NOW + 16 * 60 * 1000);
    expect(failureCode(await authenticate(late, NOW, LOOKUP))).toBe('RequestTimeTooSkewed');
    const fine = signed('/bkt/k', {}, NOW - 14 * 60 * 1000);
    expect((await authenticate(fine, NOW, LOOKUP)).ok).toBe(true);
  });

  it('authenticate: an x-amz-* header added after signing is AccessDenied', async () => {
    for (const [name, value] of [
      ['x-amz-copy-source', '/other/secret'],
      ['x-amz-meta-added', '1'],
      ['X-Amz-Tagging', 'a=b'],
    ] as const) {
      const result = await authenticate(withHeader(signed('/bkt/k'), name, value), NOW, LOOKUP);
      expect(failureCode(result), name).toBe('AccessDenied');
    }
    const signedMeta = signed('/bkt/k', { 'x-amz-meta-added': '1' });
    expect((await authenticate(signedMeta, NOW, LOOKUP)).ok).toBe(true);
    const unsignedOther = withHeader(signed('/bkt/k'), 'content-type', 'text/plain');
    expect((await authenticate(unsignedOther, NOW, LOOKUP)).ok).toBe(true);
  });

  it('authenticate: unknown access key is InvalidAccessKeyId', async () => {
    const req = signed('/bkt/k');
    const result = await authenticate(req, NOW, lookupOf());
    expect(failureCode(result)).toBe('InvalidAccessKeyId');
  });

  it('authenticate: wrong secret is SignatureDoesNotMatch', async () => {
    const other = { ...S3_DOC_CREDENTIALS, secretAccessKey: 'not-the-secret' };
    const result = await authenticate(signed('/bkt/k'), NOW, lookupOf(other));
    expect(failureCode(result)).toBe('SignatureDoesNotMatch');
  });

  it('authenticate: malformed Authorization headers', async () => {
    const req = signed('/bkt/k');
    const auth = req.headers.authorization as string;
    const cases: Array<[string, string]> = [
      [auth.replace('Credential=', 'Credentials='), 'AuthorizationHeaderMalformed'],
      [auth.replace('/s3/', '/ec2/'), 'AuthorizationHeaderMalformed'],
      [auth.replace('aws4_request', 'aws5_request'), 'AuthorizationHeaderMalformed'],
      [auth.replace(/Signature=[0-9a-f]+/, 'Signature=xyz'), 'AuthorizationHeaderMalformed'],
      [auth.replace(/SignedHeaders=[^,]+,/, ''), 'AuthorizationHeaderMalformed'],
      [auth.replace('SignedHeaders=host;', 'SignedHeaders='), 'AuthorizationHeaderMalformed'],
      [auth.replace('/20250301/', '/20250302/'), 'AuthorizationHeaderMalformed'],
    ];
    for (const [value, code] of cases) {
      const result = await authenticate(withHeader(req, 'authorization', value), NOW, LOOKUP);
      expect(failureCode(result), value).toBe(code);
    }
  });

  it('authenticate: missing or invalid dates', async () => {
    const req = signed('/bkt/k');
    const noDate = withHeader(req, 'x-amz-date', undefined);
    expect(failureCode(await authenticate(noDate, NOW, LOOKUP))).toBe('AccessDenied');
    const badDate = withHeader(req, 'x-amz-date', '2025-03-01T10:00:00Z');
    expect(failureCode(await authenticate(badDate, NOW, LOOKUP))).toBe('AccessDenied');
  });

  it('authenticate: x-amz-content-sha256 missing or invalid', async () => {
    const req = signed('/bkt/k');
    const missing = withHeader(req, 'x-amz-content-sha256', undefined);
    expect(failureCode(await authenticate(missing, NOW, LOOKUP))).toBe('InvalidRequest');
    const odd = signed('/bkt/k', {}, NOW, 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD');
    expect(failureCode(await authenticate(odd, NOW, LOOKUP))).toBe('InvalidArgument');
  });
});

describe('authenticate: presigned v4 refusals', () => {
  const presigned = (expiresSec: number, query = ''): SignedRequest => {
    const url = presignV4(
      { method: 'GET', url: `/bkt/k${query}`, headers: { host: 'localhost:8080' } },
      S3_DOC_CREDENTIALS,
      'us-east-1',
      NOW,
      expiresSec,
    );
    return { method: 'GET', rawUrl: url, headers: { host: 'localhost:8080' } };
  };

  it('authenticate: presigned: valid until X-Amz-Date + X-Amz-Expires', async () => {
    const req = presigned(60, '?response-content-type=text%2Fplain');
    expect(await authenticate(req, NOW + 60_000, LOOKUP)).toMatchObject({
      ok: true,
      presigned: true,
      signatureVersion: 'v4',
    });
    expect((await authenticate(req, NOW + 60_001, LOOKUP)) as unknown).toEqual({
      ok: false,
      failure: { code: 'AccessDenied', detail: 'Request has expired' },
    });
  });

  it('authenticate: presigned: not usable long before its date', async () => {
    const req = presigned(3600);
    expect(failureCode(await authenticate(req, NOW - 3600_000, LOOKUP))).toBe('AccessDenied');
  });

  it('authenticate: presigned: X-Amz-Expires out of 1..604800', async () => {
    const req = presigned(60);
    const refusals = [
      // A number out of range is refused as S3 refuses it (403), text is malformed (400).
      ['0', 'AccessDenied', 'Request has expired'],
      ['-5', 'AccessDenied', 'Request has expired'],
      ['604801', 'AccessDenied', 'X-Amz-Expires must be less than a week'],
      ['99999999999', 'AccessDenied', 'X-Amz-Expires must be less than a week'],
      ['abc', 'AuthorizationQueryParametersError', 'X-Amz-Expires'],
      ['1e3', 'AuthorizationQueryParametersError', 'X-Amz-Expires'],
    ] as const;
    for (const [expires, code, detail] of refusals) {
      const rawUrl = req.rawUrl.replace('X-Amz-Expires=60', `X-Amz-Expires=${expires}`);
      const result = await authenticate({ ...req, rawUrl }, NOW, LOOKUP);
      expect(result, expires).toMatchObject({ ok: false, failure: { code } });
      expect(result.ok ? '' : result.failure.detail, expires).toContain(detail);
    }
    expect(() =>
      presignV4({ method: 'GET', url: new URL('http://h/') }, S3_DOC_CREDENTIALS, 'r', NOW, 604801),
    ).toThrow(RangeError);
  });

  it('authenticate: presigned: missing parameter or wrong algorithm', async () => {
    const req = presigned(60);
    const noDate = req.rawUrl.replace(/&X-Amz-Date=[^&]+/, '');
    expect(failureCode(await authenticate({ ...req, rawUrl: noDate }, NOW, LOOKUP))).toBe(
      'AuthorizationQueryParametersError',
    );
    const badAlgorithm = req.rawUrl.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1');
    expect(failureCode(await authenticate({ ...req, rawUrl: badAlgorithm }, NOW, LOOKUP))).toBe(
      'AuthorizationQueryParametersError',
    );
  });

  it('authenticate: presigned: a changed query parameter breaks the signature', async () => {
    const req = presigned(60, '?versionId=1');
    const rawUrl = req.rawUrl.replace('versionId=1', 'versionId=2');
    expect(failureCode(await authenticate({ ...req, rawUrl }, NOW, LOOKUP))).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('authenticate: presigned: a tampered signature is 403, never 400', async () => {
    const req = presigned(60);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(req.rawUrl)![1]!;
    for (const tampered of [
      signature.toUpperCase(),
      `z${signature.slice(1)}`,
      `${signature}00`,
      signature.slice(0, 10),
      'not%20hex',
    ]) {
      const rawUrl = req.rawUrl.replace(signature, tampered);
      expect(failureCode(await authenticate({ ...req, rawUrl }, NOW, LOOKUP)), tampered).toBe(
        'SignatureDoesNotMatch',
      );
    }
  });

  it('authenticate: presigned: x-amz-* headers must be signed', async () => {
    const headers = { host: 'localhost:8080', 'x-amz-acl': 'public-read' };
    const url = presignV4(
      { method: 'PUT', url: '/bkt/k', headers },
      S3_DOC_CREDENTIALS,
      'us-east-1',
      NOW,
      60,
    );
    const put = (extra: Record<string, string>) =>
      authenticate({ method: 'PUT', rawUrl: url, headers: { ...headers, ...extra } }, NOW, LOOKUP);
    expect(await put({})).toMatchObject({ ok: true, presigned: true });
    expect(await put({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).toMatchObject({ ok: true });
    for (const name of ['x-amz-copy-source', 'x-amz-meta-a', 'x-amz-date', 'x-amz-tagging']) {
      const result = await put({ [name]: '1' });
      expect(result, name).toEqual({
        ok: false,
        failure: {
          code: 'AccessDenied',
          detail: `There were headers present in the request which were not signed: ${name}`,
        },
      });
    }
    // A signed one changed is another request.
    expect(failureCode(await put({ 'x-amz-acl': 'private' }))).toBe('SignatureDoesNotMatch');
  });
});

describe('authenticate: v2 refusals', () => {
  it('authenticate: v2: malformed header, missing date, skew', async () => {
    const base = { method: 'GET', rawUrl: '/bkt/k' };
    const noColon = { ...base, headers: { authorization: 'AWS AKIAIOSFODNN7EXAMPLE' } };
    expect(failureCode(await authenticate(noColon, NOW, LOOKUP))).toBe('InvalidArgument');
    const noDate = { ...base, headers: { authorization: 'AWS AKIAIOSFODNN7EXAMPLE:abc=' } };
    expect(failureCode(await authenticate(noDate, NOW, LOOKUP))).toBe('AccessDenied');
    const skewed = {
      ...base,
      headers: {
        authorization: 'AWS AKIAIOSFODNN7EXAMPLE:abc=',
        date: 'Sat, 01 Mar 2025 09:40:00 GMT',
      },
    };
    expect(failureCode(await authenticate(skewed, NOW, LOOKUP))).toBe('RequestTimeTooSkewed');
  });

  it('authenticate: v2: presigned with missing parameters', async () => {
    const rawUrl = '/bkt/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE';
    const req = { method: 'GET', rawUrl, headers: {} };
    expect(failureCode(await authenticate(req, NOW, LOOKUP))).toBe('AccessDenied');
  });
});
