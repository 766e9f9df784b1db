/**
 * The signature on internal requests (ring/core/internal-auth.ts): a signed request
 * verifies; any change to its method, path, content type, body or time, another key, a
 * clock skew past the window, a malformed header or a replay is refused; the replay guard
 * stays bounded and never admits a signature twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyDigest,
  INTERNAL_SKEW_MS_MAX,
  internalKey,
  ReplayGuard,
  signInternal,
  verifyInternal,
  type SignedRequest,
} from '../../../ring/core/internal-auth.js';

const COOKIE = 'a-cluster-cookie-for-tests-0123456789';
const KEY = internalKey(COOKIE);
const NOW = 1_760_000_000_000;
const NONCE = '0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';

function request(overrides: Partial<SignedRequest> = {}): SignedRequest {
  return {
    method: 'POST',
    path: '/admin/cluster/stage?x=1',
    contentType: 'application/json',
    bodyDigest: bodyDigest(Buffer.from('{"kind":"join"}')),
    ...overrides,
  };
}

describe('internal auth: signatures', () => {
  it('a signed request verifies, and the header holds neither the cookie nor the key', () => {
    const header = signInternal(KEY, request(), NOW, NONCE);
    expect(verifyInternal(KEY, header, request(), NOW)).toBeUndefined();
    expect(header).not.toContain(COOKIE);
    expect(header).not.toContain(KEY.toString('hex'));
    expect(header).toMatch(/^CAIRN1-HMAC-SHA256 t=\d+,n=[\w-]+,s=[0-9a-f]{64}$/);
  });

  it.each([
    ['method', { method: 'GET' }],
    ['path', { path: '/admin/cluster/stage?x=2' }],
    ['path without its query', { path: '/admin/cluster/stage' }],
    ['content type', { contentType: 'application/octet-stream' }],
    ['body', { bodyDigest: bodyDigest(Buffer.from('{"kind":"leave"}')) }],
    ['empty body', { bodyDigest: bodyDigest(undefined) }],
  ] as const)('a changed %s is refused', (_what, change) => {
    const header = signInternal(KEY, request(), NOW, NONCE);
    expect(verifyInternal(KEY, header, request(change), NOW)?.reason).toBe('mismatch');
  });

  it('a changed time or nonce in the header is refused', () => {
    const header = signInternal(KEY, request(), NOW, NONCE);
    const later = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(verifyInternal(KEY, later, request(), NOW)?.reason).toBe('mismatch');
    const other = header.replace(NONCE, NONCE.replace('0f8e', '1f8e'));
    expect(verifyInternal(KEY, other, request(), NOW)?.reason).toBe('mismatch');
  });

  it('another cookie is refused', () => {
    const header = signInternal(internalKey(COOKIE + 'x'), request(), NOW, NONCE);
    expect(verifyInternal(KEY, header, request(), NOW)?.reason).toBe('mismatch');
  });

  it(`the clock may be ${INTERNAL_SKEW_MS_MAX} ms off either way, not 1 ms more`, () => {
    for (const offMs of [-INTERNAL_SKEW_MS_MAX, 0, INTERNAL_SKEW_MS_MAX]) {
      const header = signInternal(KEY, request(), NOW + offMs, NONCE);
      expect(verifyInternal(KEY, header, request(), NOW), String(offMs)).toBeUndefined();
    }
    for (const offMs of [-INTERNAL_SKEW_MS_MAX - 1, INTERNAL_SKEW_MS_MAX + 1, -NOW]) {
      const header = signInternal(KEY, request(), NOW + offMs, NONCE);
      const refusal = verifyInternal(KEY, header, request(), NOW);
      expect(refusal?.reason, String(offMs)).toBe('skewed');
      expect(refusal?.detail).toMatch(/check the clocks/);
    }
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['cookie', 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=${NOW},n=${NONCE},s=${'A'.repeat(64)}`, 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=${NOW},n=short,s=${'a'.repeat(64)}`, 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=${NOW},n=${NONCE},s=${'a'.repeat(63)}`, 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=${NOW},n=${NONCE},s=${'a'.repeat(64)} `, 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=-${NOW},n=${NONCE},s=${'a'.repeat(64)}`, 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=${'9'.repeat(300)},n=${NONCE},s=${'a'.repeat(64)}`, 'malformed'],
    [`CAIRN1-HMAC-SHA256 t=${NOW},n=${NONCE},s=${'a'.repeat(64)}`, 'mismatch'],
  ])('header %j: %s', (header, reason) => {
    expect(verifyInternal(KEY, header, request(), NOW)?.reason).toBe(reason);
  });

  it('refuses a request line with white space rather than sign an ambiguous string', () => {
    expect(() => signInternal(KEY, request({ path: '/a\nb' }), NOW, NONCE)).toThrow();
  });

  it('property: any change to method, path, content type, body or time is refused', () => {
    const field = fc.constantFrom('method', 'path', 'contentType', 'body', 'time');
    const token = fc.stringMatching(/^[A-Za-z0-9/?=&._~%-]{1,40}$/);
    fc.assert(
      fc.property(
        token,
        token,
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 0, max: 2 ** 44 }),
        field,
        token,
        (method, path, body, timeMs, what, other) => {
          const base: SignedRequest = {
            method: method.toUpperCase(),
            path: `/${path}`,
            contentType: 'application/json',
            bodyDigest: bodyDigest(body),
          };
          const header = signInternal(KEY, base, timeMs, NONCE);
          expect(verifyInternal(KEY, header, base, timeMs)).toBeUndefined();
          const changed = { ...base };
          let header2 = header;
          if (what === 'method') changed.method = `${base.method}X`;
          if (what === 'path') changed.path = `${base.path}${other}`;
          if (what === 'contentType') changed.contentType = `text/${other}`;
          if (what === 'body') changed.bodyDigest = bodyDigest(Buffer.concat([body, Buffer.of(1)]));
          if (what === 'time') header2 = header.replace(`t=${timeMs},`, `t=${timeMs + 1},`);
          expect(verifyInternal(KEY, header2, changed, timeMs)?.reason).toBe('mismatch');
        },
      ),
    );
  });

  it('property: a skew past the window is refused whatever else holds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: INTERNAL_SKEW_MS_MAX + 1, max: 10 * 86_400_000 }),
        fc.boolean(),
        (offMs, ahead) => {
          const header = signInternal(KEY, request(), NOW + (ahead ? offMs : -offMs), NONCE);
          expect(verifyInternal(KEY, header, request(), NOW)?.reason).toBe('skewed');
        },
      ),
    );
  });
});

describe('internal auth: replays', () => {
  it('a signature is accepted once; a new nonce makes a new one', () => {
    const guard = new ReplayGuard(1000);
    const header = signInternal(KEY, request(), NOW, NONCE);
    expect(verifyInternal(KEY, header, request(), NOW, guard)).toBeUndefined();
    expect(verifyInternal(KEY, header, request(), NOW + 1000, guard)?.reason).toBe('replayed');
    const fresh = signInternal(KEY, request(), NOW, NONCE.replace('0f8e', '2f8e'));
    expect(verifyInternal(KEY, fresh, request(), NOW, guard)).toBeUndefined();
  });

  it('a refused signature is not remembered (garbage cannot fill the guard)', () => {
    const guard = new ReplayGuard(1000);
    const header = signInternal(internalKey('another-cookie-0123456789'), request(), NOW, NONCE);
    expect(verifyInternal(KEY, header, request(), NOW, guard)?.reason).toBe('mismatch');
    expect(guard.size).toBe(0);
  });

  it('forgets signatures once they are too old to pass the skew check', () => {
    const guard = new ReplayGuard(1000);
    for (let i = 0; i < 100; i++) expect(guard.admit(`id${i}`, NOW + i * 10, NOW)).toBe(true);
    expect(guard.size).toBe(100);
    expect(
      guard.admit('later', NOW + INTERNAL_SKEW_MS_MAX + 2000, NOW + INTERNAL_SKEW_MS_MAX + 2000),
    );
    expect(guard.size).toBe(1);
  });

  it('full, it forgets its oldest second and refuses anything signed in or before it', () => {
    const guard = new ReplayGuard(3);
    expect(guard.admit('a', NOW - 5000, NOW)).toBe(true);
    expect(guard.admit('b', NOW, NOW)).toBe(true);
    expect(guard.admit('c', NOW, NOW)).toBe(true);
    expect(guard.admit('d', NOW + 1000, NOW)).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.admit('a', NOW - 5000, NOW)).toBe(false);
    expect(guard.admit('e', NOW - 5000, NOW)).toBe(false);
    expect(guard.admit('b', NOW, NOW)).toBe(false);
  });

  it('property: no id is admitted twice at one time, and the guard never exceeds its bound', () => {
    const step = fc.record({
      id: fc.integer({ min: 0, max: 30 }),
      ageMs: fc.integer({ min: -INTERNAL_SKEW_MS_MAX, max: INTERNAL_SKEW_MS_MAX }),
      advanceMs: fc.integer({ min: 0, max: 20_000 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(step, { maxLength: 200 }),
        (max, steps) => {
          const guard = new ReplayGuard(max);
          const admitted = new Set<string>();
          let now = NOW;
          for (const s of steps) {
            now += s.advanceMs;
            const timeMs = now + s.ageMs;
            const id = `${s.id}@${timeMs}`;
            if (guard.admit(id, timeMs, now)) {
              expect(admitted.has(id)).toBe(false);
              admitted.add(id);
            }
            expect(guard.size).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });
});
