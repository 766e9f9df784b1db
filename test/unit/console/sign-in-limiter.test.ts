/**
 * The sign-in limiter, pure with a fake clock: an address is refused after its failures in
 * the window and may try again exactly when the oldest leaves it; a key hammered from many
 * addresses is refused everywhere, but one address hammering a key does not lock the key's
 * owner out elsewhere; memory stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { SignInLimiter } from '../../../src/console/core/sign-in-limiter.js';

function limiter(entriesMax = 100) {
  let now = 1_000_000;
  const limits = { clock: () => now, windowMs: 60_000, perAddress: 5, perKey: 20, entriesMax };
  return { limiter: new SignInLimiter(limits), advance: (ms: number) => (now += ms) };
}

describe('sign-in limiter', () => {
  it('refuses an address after 5 failures until the oldest leaves the window', () => {
    const { limiter: l, advance } = limiter();
    for (let i = 0; i < 5; i++) {
      expect(l.check('10.0.0.1', 'AKID')).toBeUndefined();
      l.failed('10.0.0.1', 'AKID');
      advance(1000);
    }
    // Failures at 0, 1, 2, 3, 4 s; now 5 s: the first leaves the window at 60 s.
    expect(l.check('10.0.0.1', 'AKID')).toEqual({ reason: 'address', retryAfterMs: 55_000 });
    expect(l.check('10.0.0.1', 'OTHERKEY')?.reason).toBe('address');
    advance(54_999);
    expect(l.check('10.0.0.1', 'AKID')?.retryAfterMs).toBe(1);
    advance(1);
    expect(l.check('10.0.0.1', 'AKID')).toBeUndefined();
    expect(l.failuresOf('10.0.0.1')).toBe(4);
  });

  it('does not block the key from another address when one address hammers it', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 5; i++) l.failed('10.0.0.66', 'AKID');
    expect(l.check('10.0.0.66', 'AKID')?.reason).toBe('address');
    expect(l.check('10.0.0.1', 'AKID')).toBeUndefined();
  });

  it('refuses a key failed from many addresses everywhere, for the window only', () => {
    const { limiter: l, advance } = limiter();
    for (let i = 0; i < 20; i++) l.failed(`10.0.1.${i}`, 'AKID');
    expect(l.check('10.0.0.1', 'AKID')).toEqual({ reason: 'key', retryAfterMs: 60_000 });
    expect(l.check('10.0.0.1', 'SOMEONEELSE')).toBeUndefined();
    advance(60_000);
    expect(l.check('10.0.0.1', 'AKID')).toBeUndefined();
  });

  it('keeps at most entriesMax addresses and keys, each with at most its limit', () => {
    const { limiter: l } = limiter(10);
    for (let i = 0; i < 1000; i++) l.failed(`10.0.${i >> 8}.${i & 255}`, `KEY${i}`);
    // The least recently failed went first: only the last 10 addresses are remembered.
    expect(l.failuresOf('10.0.0.0')).toBe(0);
    expect(l.failuresOf('10.0.3.231')).toBe(1);
    for (let i = 0; i < 1000; i++) l.failed('10.9.9.9', 'AKID');
    expect(l.failuresOf('10.9.9.9')).toBe(5);
  });
});
