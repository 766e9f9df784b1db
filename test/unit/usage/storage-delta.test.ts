/**
 * Storage deltas against a model: for any sequence of PUTs, overwrites and DELETEs, the sum
 * of the commits' deltas is exactly what a scan of the final keys counts; the reconciler's
 * correction makes any set of writer records sum to the count; sibling resolution of
 * counter records does not depend on the order siblings arrive in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addUsage,
  commitDelta,
  correctionFor,
  decodeCounter,
  encodeCounter,
  newestCounter,
  sumCounters,
  ZERO_USAGE,
  type Usage,
} from '../../../src/usage/core/storage-delta.js';

const op = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd'),
  size: fc.option(fc.nat({ max: 1 << 30 }), { nil: undefined }), // undefined: DELETE
});
const usage = fc.record({ objects: fc.integer(), bytes: fc.integer() });

describe('usage: storage deltas', () => {
  it('the sum of deltas equals a scan of the final state (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const live = new Map<string, number>();
        let counted: Usage = ZERO_USAGE;
        for (const { key, size } of ops) {
          counted = addUsage(counted, commitDelta(live.get(key), size));
          if (size === undefined) live.delete(key);
          else live.set(key, size);
        }
        const scanned = [...live.values()].reduce((a, b) => a + b, 0);
        expect(counted).toEqual({ objects: live.size, bytes: scanned });
      }),
    );
  });

  it('a PUT of a new key, an overwrite, a DELETE and a DELETE of nothing', () => {
    expect(commitDelta(undefined, 10)).toEqual({ objects: 1, bytes: 10 });
    expect(commitDelta(10, 4)).toEqual({ objects: 0, bytes: -6 });
    expect(commitDelta(4, undefined)).toEqual({ objects: -1, bytes: -4 });
    expect(commitDelta(undefined, undefined)).toEqual({ objects: 0, bytes: 0 });
  });

  it('a correction makes the writers sum to the count (property)', () => {
    fc.assert(
      fc.property(fc.array(usage, { maxLength: 8 }), usage, (writers, counted) => {
        const others = sumCounters(writers);
        expect(sumCounters([...writers, correctionFor(counted, others)])).toEqual(counted);
      }),
    );
  });

  it('resolving counter siblings is order-independent and picks the highest seq (property)', () => {
    const record = fc.record({
      objects: fc.integer(),
      bytes: fc.integer(),
      seq: fc.nat(),
      updatedMs: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), (records) => {
        const values = records.map(encodeCounter);
        const chosen = newestCounter(values);
        expect(newestCounter([...values].reverse()).equals(chosen)).toBe(true);
        const seqMax = Math.max(...records.map((r) => r.seq));
        expect(decodeCounter(chosen).seq).toBe(seqMax);
      }),
    );
  });

  it('a damaged counter record reads as zero', () => {
    expect(decodeCounter(Buffer.from('{not json'))).toEqual({
      objects: 0,
      bytes: 0,
      seq: 0,
      updatedMs: 0,
    });
    expect(decodeCounter(Buffer.from('{"objects":"7","bytes":3}')).objects).toBe(0);
  });
});
