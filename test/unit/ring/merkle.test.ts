/**
 * Anti-entropy maths: XOR segments update incrementally to the same hash as a rebuild, in
 * any order; differing segments are found exactly; equal data gives equal roots.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  differingSegments,
  emptyHash,
  itemHash,
  rootHash,
  SEGMENT_COUNT,
  segmentOf,
  treeLevels,
  updateSegment,
} from '../../../ring/core/merkle.js';

type Items = Map<string, string>;

function segmentsOf(items: Items): Buffer[] {
  const segments = Array.from({ length: SEGMENT_COUNT }, emptyHash);
  for (const [key, version] of items) {
    const k = Buffer.from(key);
    const s = segmentOf(k);
    segments[s] = updateSegment(segments[s]!, undefined, itemHash(k, version));
  }
  return segments;
}

const itemsArb = fc
  .array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 4 })), {
    maxLength: 60,
  })
  .map((pairs) => new Map(pairs));

describe('merkle', () => {
  it('updates segments incrementally to what a rebuild gives (property)', () => {
    fc.assert(
      fc.property(itemsArb, itemsArb, (before, changes) => {
        const segments = segmentsOf(before);
        const after = new Map(before);
        for (const [key, version] of changes) {
          const k = Buffer.from(key);
          const s = segmentOf(k);
          const old = after.get(key);
          segments[s] = updateSegment(
            segments[s]!,
            old === undefined ? undefined : itemHash(k, old),
            itemHash(k, version),
          );
          after.set(key, version);
        }
        expect(rootHash(segments).equals(rootHash(segmentsOf(after)))).toBe(true);
      }),
    );
  });

  it('finds exactly the segments where two replicas differ (property)', () => {
    fc.assert(
      fc.property(itemsArb, itemsArb, (a, extra) => {
        const b = new Map(a);
        for (const [key, version] of extra) b.set(key, version);
        const expected = new Set<number>();
        for (const [key, version] of b) {
          if (a.get(key) !== version) expected.add(segmentOf(Buffer.from(key)));
        }
        const found = differingSegments(treeLevels(segmentsOf(a)), treeLevels(segmentsOf(b)));
        expect(new Set(found)).toEqual(expected);
      }),
    );
  });

  it('gives equal roots for equal data and a different root for one changed version', () => {
    const a = new Map([
      ['k1', 'v1'],
      ['k2', 'v2'],
    ]);
    expect(rootHash(segmentsOf(a)).equals(rootHash(segmentsOf(new Map(a))))).toBe(true);
    const b = new Map(a).set('k2', 'v3');
    expect(rootHash(segmentsOf(a)).equals(rootHash(segmentsOf(b)))).toBe(false);
    expect(treeLevels(segmentsOf(a)).map((l) => l.length)).toEqual([1024, 32, 1]);
  });
});
