/**
 * Stanchion's leadership rules: who wins concurrent claims, when a standby claims, what a
 * follower may apply, when a log slot may be overwritten.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../stanchion/core/commands.js';
import {
  followable,
  mayOverwrite,
  nextEpoch,
  observeLeader,
  resolveLeader,
  type LeaderRecord,
} from '../../../stanchion/core/leadership.js';

const record = (epoch: number, holderId: string, beat = 0): LeaderRecord => ({
  epoch,
  holderId,
  address: `${holderId}:1`,
  beat,
  committedSeq: 0,
});
const entry = (seq: number, epoch = 1): LogEntry => ({
  seq,
  epoch,
  events: [],
  result: { ok: true },
});

describe('stanchion leadership', () => {
  it('resolves concurrent claims the same way in any order (highest epoch, then holder)', () => {
    const arb = fc.array(
      fc.record({ epoch: fc.integer({ min: 0, max: 5 }), holder: fc.constantFrom('a', 'b') }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(arb, (claims) => {
        const records = claims.map((c) => record(c.epoch, c.holder));
        const winner = resolveLeader(records);
        expect(resolveLeader([...records].reverse())).toEqual(winner);
        for (const r of records) {
          expect(r.epoch < winner.epoch || r.holderId <= winner.holderId).toBe(true);
        }
      }),
    );
  });

  it('claims with no leader, with its own record, or when the record stalls', () => {
    const watch = { sinceMs: 0 };
    expect(observeLeader(watch, undefined, 'me', 0, 4000).action).toBe('claim');
    expect(observeLeader(watch, record(3, 'me'), 'me', 0, 4000).action).toBe('claim');
    let seen = observeLeader(watch, record(3, 'other', 1), 'me', 1000, 4000);
    expect(seen.action).toBe('follow');
    seen = observeLeader(seen.watch, record(3, 'other', 1), 'me', 4999, 4000);
    expect(seen.action).toBe('follow');
    const beating = observeLeader(seen.watch, record(3, 'other', 2), 'me', 5500, 4000);
    expect(beating.action).toBe('follow');
    seen = observeLeader(seen.watch, record(3, 'other', 1), 'me', 5000, 4000);
    expect(seen.action).toBe('claim');
  });

  it('claims above every epoch it has seen', () => {
    expect(nextEpoch(undefined, 0)).toBe(1);
    expect(nextEpoch(record(4, 'a'), 2)).toBe(5);
    expect(nextEpoch(record(1, 'a'), 6)).toBe(7);
  });

  it('follows only contiguous entries up to the committed one', () => {
    const entries = [entry(3), entry(4), entry(6)];
    expect(followable(2, 10, entries).map((e) => e.seq)).toEqual([3, 4]);
    expect(followable(2, 3, entries).map((e) => e.seq)).toEqual([3]);
    expect(followable(3, 10, entries)).toEqual([]);
  });

  it('overwrites a log slot only over a lower epoch', () => {
    expect(mayOverwrite(undefined, 1)).toBe(true);
    expect(mayOverwrite(entry(5, 1), 2)).toBe(true);
    expect(mayOverwrite(entry(5, 2), 2)).toBe(false);
    expect(mayOverwrite(entry(5, 3), 2)).toBe(false);
  });
});
