// Round trips: whatever a client signs with signV4 / presignV4 / signV2 verifies, and any single
// byte changed in the method, path, query or a signed header makes it fail with
// SignatureDoesNotMatch.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  authenticate,
  presignV4,
  signV2,
  signV4,
  type SignedRequest,
} from '../../../src/auth/index.js';
import { uriEncode } from '../../../src/auth/request-parts.js';
import { S3_DOC_CREDENTIALS, lookupOf } from './fixtures.js';

const LOOKUP = lookupOf(S3_DOC_CREDENTIALS);
const NOW = Date.parse('2025-03-01T10:00:00Z');

const keyArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const queryArb = fc.array(
  fc.tuple(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  ),
  { maxLength: 4 },
);
const headerArb = fc.dictionary(
  fc.stringMatching(/^x-amz-meta-[a-z0-9]{1,8}$/),
  fc.stringMatching(/^[ -~]{1,20}$/).filter((v) => v.trim() !== ''),
  { maxKeys: 3 },
);
const methodArb = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD');

interface Generated {
  method: string;
  rawUrl: string;
  headers: Record<string, string>;
}

function rawUrlOf(key: string, query: ReadonlyArray<[string, string]>): string {
  const q = query.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&');
  return `/bkt/${uriEncode(key, true)}${q === '' ? '' : `?${q}`}`;
}

const requestArb = fc
  .record({ method: methodArb, key: keyArb, query: queryArb, headers: headerArb })
  .map(({ method, key, query, headers }): Generated => ({
    method,
    rawUrl: rawUrlOf(key, query),
    headers: { host: 'cairn.local:9000', ...headers },
  }));

function signedV4(req: Generated): SignedRequest {
  const added = signV4(
    {
      method: req.method,
      url: req.rawUrl,
      headers: req.headers,
      payloadSha256Hex: 'UNSIGNED-PAYLOAD',
    },
    S3_DOC_CREDENTIALS,
    'us-east-1',
    NOW,
  );
  return { method: req.method, rawUrl: req.rawUrl, headers: { ...req.headers, ...added } };
}

/** Changes one byte of a string to another printable byte, keeping it printable. */
function flipByte(text: string, index: number, delta: number): string {
  const bytes = Buffer.from(text, 'latin1');
  const at = index % bytes.length;
  const code = bytes[at] as number;
  let next = 0x21 + ((code - 0x21 + 1 + (delta % 93)) % 94);
  if (next === code) next = code === 0x21 ? 0x22 : 0x21;
  bytes[at] = next;
  return bytes.toString('latin1');
}

/** True when `a` and `b` canonicalize to different strings for signing purposes. */
function differs(a: string, b: string): boolean {
  const norm = (s: string) => decodeURIComponentLenient(s.replace(/\+/g, ' '));
  return norm(a) !== norm(b);
}

function decodeURIComponentLenient(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

describe('roundtrip: sigv4 header', () => {
  it('roundtrip: sigv4: signV4 then authenticate succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const result = await authenticate(signedV4(req), NOW + 1000, LOOKUP);
        expect(result).toMatchObject({ ok: true, signatureVersion: 'v4' });
      }),
      { numRuns: 200 },
    );
  });

  it('roundtrip: sigv4: a changed method fails', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, methodArb, async (req, method) => {
        fc.pre(method !== req.method);
        const result = await authenticate({ ...signedV4(req), method }, NOW, LOOKUP);
        expect(result.ok ? undefined : result.failure.code).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: 100 },
    );
  });

  it('roundtrip: sigv4: a single changed byte in the path or query fails', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.nat(), fc.nat(), async (req, index, delta) => {
        const signed = signedV4(req);
        const position = 1 + (index % (req.rawUrl.length - 1)); // keep the leading '/'
        const rawUrl = flipByte(req.rawUrl, position, delta);
        fc.pre(differs(rawUrl, req.rawUrl) && !rawUrl.includes('#'));
        const result = await authenticate({ ...signed, rawUrl }, NOW, LOOKUP);
        expect(result.ok ? undefined : result.failure.code).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: 300 },
    );
  });

  it('roundtrip: sigv4: a single changed byte in a signed header fails', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.nat(), fc.nat(), fc.nat(), async (req, which, at, delta) => {
        const signed = signedV4(req);
        const names = Object.keys(req.headers);
        const name = names[which % names.length] as string;
        const value = req.headers[name] as string;
        const changed = flipByte(value, at, delta);
        fc.pre(changed.trim().replace(/\s+/g, ' ') !== value.trim().replace(/\s+/g, ' '));
        const headers = { ...signed.headers, [name]: changed };
        const result = await authenticate({ ...signed, headers }, NOW, LOOKUP);
        expect(result.ok ? undefined : result.failure.code).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: 200 },
    );
  });
});

describe('roundtrip: presigned sigv4 and sigv2', () => {
  it('roundtrip: presignV4 then authenticate succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.integer({ min: 1, max: 604800 }), async (req, expires) => {
        const rawUrl = presignV4(
          { method: req.method, url: req.rawUrl, headers: req.headers },
          S3_DOC_CREDENTIALS,
          'us-east-1',
          NOW,
          expires,
        );
        const result = await authenticate(
          { method: req.method, rawUrl, headers: req.headers },
          NOW + expires * 1000,
          LOOKUP,
        );
        expect(result).toMatchObject({ ok: true, presigned: true });
        // The same URL with an x-amz-* header it did not sign is another request.
        const added = { ...req.headers, 'x-amz-meta-added': 'x' };
        const refused = await authenticate(
          { method: req.method, rawUrl, headers: added },
          NOW,
          LOOKUP,
        );
        expect(refused.ok ? undefined : refused.failure.code).toBe('AccessDenied');
      }),
      { numRuns: 100 },
    );
  });

  it('roundtrip: signV2 then authenticate succeeds, and a changed method fails', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const added = signV2(req, S3_DOC_CREDENTIALS, NOW);
        const signed = { ...req, headers: { ...req.headers, ...added } };
        expect(await authenticate(signed, NOW, LOOKUP)).toMatchObject({
          ok: true,
          signatureVersion: 'v2',
        });
        const other = req.method === 'GET' ? 'PUT' : 'GET';
        const result = await authenticate({ ...signed, method: other }, NOW, LOOKUP);
        expect(result.ok ? undefined : result.failure.code).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: 100 },
    );
  });
});
