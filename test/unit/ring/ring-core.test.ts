/**
 * The ring's pure maths: hashing to partitions, preference lists with fallbacks, quorum
 * arithmetic, and the item-key encoding that keeps one partition key's items in order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionOf, ringIndex, RING_TOP, assertPartitionCount } from '../../../ring/core/hash.js';
import { preferenceList } from '../../../ring/core/preflist.js';
import { quorumState, quorumStateWithPrimaries } from '../../../ring/core/quorum.js';
import { checkRing, singleNodeRing, type Ring } from '../../../ring/core/ring.js';
import { itemKey, itemPrefix, prefixEnd } from '../../../ring/storage/item-key.js';

describe('hash', () => {
  it('places keys in [0, Q) and spreads them evenly', () => {
    const q = 64;
    const counts = new Array<number>(q).fill(0);
    for (let i = 0; i < 64_000; i++) counts[partitionOf(ringIndex('blocks', `v:${i}`), q)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('separates keyspace from key (no concatenation collisions)', () => {
    expect(ringIndex('ab', 'c')).not.toBe(ringIndex('a', 'bc'));
    expect(ringIndex('a', 'b')).toBeLessThan(RING_TOP);
  });

  it('accepts only powers of two from 8 to 1024', () => {
    for (const q of [8, 64, 1024]) expect(() => assertPartitionCount(q)).not.toThrow();
    for (const q of [4, 48, 2048, 0]) expect(() => assertPartitionCount(q)).toThrow();
  });
});

describe('preferenceList', () => {
  const ring: Ring = {
    partitionCount: 8,
    owners: ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'],
    nextOwners: Array.from({ length: 8 }, () => null),
    members: ['a', 'b', 'c', 'd'].map((nodeId) => ({
      nodeId,
      status: 'valid' as const,
      address: '',
    })),
    claimant: 'a',
    epoch: 1,
    vclock: { a: 1 },
  };

  it('is the N partitions clockwise, served by their owners when all are up', () => {
    const list = preferenceList(ring, 6, 3, new Set(['a', 'b', 'c', 'd']));
    expect(list).toEqual([
      { partition: 6, nodeId: 'c' },
      { partition: 7, nodeId: 'd' },
      { partition: 0, nodeId: 'a' },
    ]);
  });

  it('replaces a down primary with the next up node not already in the list', () => {
    const list = preferenceList(ring, 0, 3, new Set(['a', 'c', 'd']));
    expect(list).toEqual([
      { partition: 0, nodeId: 'a' },
      { partition: 1, nodeId: 'd', fallbackFor: 'b' },
      { partition: 2, nodeId: 'c' },
    ]);
  });

  it('always has distinct nodes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.subarray(['a', 'b', 'c', 'd'], { minLength: 1 }),
        (partition, n, up) => {
          const list = preferenceList(ring, partition, n, new Set(up));
          expect(new Set(list.map((e) => e.nodeId)).size).toBe(list.length);
          expect(list.length).toBe(Math.min(n, up.length));
        },
      ),
    );
  });

  it('checkRing accepts a single-node ring and refuses owners that are not members', () => {
    expect(() => checkRing(singleNodeRing('n1', 64))).not.toThrow();
    expect(() => checkRing({ ...ring, owners: [...ring.owners.slice(1), 'x'] })).toThrow();
  });
});

describe('quorumState', () => {
  it('is met at the quorum, failed when it cannot be reached, else pending', () => {
    expect(quorumState({ ok: 2, failed: 0, asked: 3 }, 2)).toBe('met');
    expect(quorumState({ ok: 1, failed: 2, asked: 3 }, 2)).toBe('failed');
    expect(quorumState({ ok: 1, failed: 1, asked: 3 }, 2)).toBe('pending');
  });
});

describe('item keys', () => {
  it('order items of one partition key by sort-key bytes, apart from other keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: 2, maxLength: 10 }),
        (sortKeys) => {
          const pk = Buffer.from('bucket-id');
          const keys = sortKeys.map((sk) => itemKey(3, 'manifests', pk, Buffer.from(sk)));
          const byItemKey = [...keys]
            .sort(Buffer.compare)
            .map((k) => k.subarray(itemPrefix(3, 'manifests', pk).length));
          const bySortKey = sortKeys.map((s) => Buffer.from(s)).sort(Buffer.compare);
          expect(byItemKey).toEqual(bySortKey);
          const end = prefixEnd(itemPrefix(3, 'manifests', pk))!;
          for (const k of keys) expect(Buffer.compare(k, end)).toBeLessThan(0);
          expect(
            Buffer.compare(itemPrefix(3, 'manifests', Buffer.from('bucket-ie')), end),
          ).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('prefixEnd carries over 0xff bytes', () => {
    expect(prefixEnd(Buffer.from([1, 0xff]))).toEqual(Buffer.from([2]));
    expect(prefixEnd(Buffer.from([0xff, 0xff]))).toBeUndefined();
  });
});

describe('quorumStateWithPrimaries', () => {
  it('needs both the quorum and the primaries, and fails when either is out of reach', () => {
    const tally = (ok: number, failed: number) => ({ ok, failed, asked: 3 });
    expect(quorumStateWithPrimaries(tally(2, 0), 2, tally(2, 0), 2)).toBe('met');
    expect(quorumStateWithPrimaries(tally(2, 0), 2, tally(1, 0), 2)).toBe('pending');
    expect(quorumStateWithPrimaries(tally(2, 1), 2, tally(1, 2), 2)).toBe('failed');
    expect(quorumStateWithPrimaries(tally(3, 0), 2, tally(0, 0), 0)).toBe('met');
  });
});
