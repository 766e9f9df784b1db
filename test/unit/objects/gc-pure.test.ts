/**
 * The orphan sweeper's pure parts: the Bloom filter never forgets an item it was given (a
 * false negative would sweep live data), and UUIDv7 version ids carry their time.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BloomFilter } from '../../../src/objects/bloom-filter.js';
import { uuidV7, uuidV7TimeMs } from '../../../src/objects/ids.js';

describe('BloomFilter', () => {
  it('has every item it was given, whatever its size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 300 }),
        fc.integer({ min: 1, max: 500 }),
        (items, expected) => {
          const filter = new BloomFilter(expected);
          for (const item of items) filter.add(item);
          for (const item of items) expect(filter.has(item)).toBe(true);
          expect(filter.size).toBe(items.length);
        },
      ),
    );
  });

  it('keeps its false-positive rate near the target', () => {
    const filter = new BloomFilter(10_000, 0.01);
    for (let i = 0; i < 10_000; i++) filter.add(uuidV7(i, randomUUID));
    let falsePositives = 0;
    for (let i = 0; i < 10_000; i++) if (filter.has(`absent-${i}`)) falsePositives++;
    expect(falsePositives).toBeLessThan(300);
  });
});

describe('uuidV7', () => {
  it('round-trips its time and is a well-formed version 7 UUID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), (nowMs) => {
        const id = uuidV7(nowMs, randomUUID);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(uuidV7TimeMs(id)).toBe(nowMs);
        expect(uuidV7TimeMs(id.replaceAll('-', ''))).toBe(nowMs);
      }),
    );
  });

  it('gives no time for other ids', () => {
    expect(uuidV7TimeMs('0b8e9a52-3c4d-4e5f-8a6b-7c8d9e0f1a2b')).toBeUndefined();
    expect(uuidV7TimeMs('not-an-id')).toBeUndefined();
  });
});
