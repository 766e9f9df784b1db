import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { partitionOf, ringIndex } from '../../../ring/core/hash.js';
import { blockKey } from '../../../src/objects/manifest.js';
import { coveringMarks, type MarkHeader } from '../../../src/objects/orphan-mark.js';
import { OrphanSweeper } from '../../../src/objects/orphan-sweeper.js';
import {
  leakSetup,
  LEEWAY_MS,
  putObject,
  seedBucket,
  seedOwner,
  type LeakSetup,
} from '../../helpers/leak-fixtures.js';

const HALVES = [
  [0, 1, 2, 3],
  [4, 5, 6, 7],
];

function splitSweeper(s: LeakSetup, half: 0 | 1) {
  const split = {
    workerId: `w${half}`,
    ownedPartitions: () => HALVES[half]!,
    ownsShard: (shard: number) => shard % 2 === half,
    newId: () => s.newId(),
  };
  return new OrphanSweeper(s.ring, s.gc, { leewayMs: LEEWAY_MS, split }, s.now);
}

describe('orphan sweeper: split mark', () => {
  it('split mark: each marks its buckets; none swept till the marks cover the ring', async () => {
    const s = leakSetup();
    await seedOwner(s);
    const live = [];
    for (let i = 0; i < 12; i++) {
      await seedBucket(s, `b${i}`, `id-${i}`);
      live.push(await putObject(s, `id-${i}`, 'k'));
    }
    const orphan = s.newId();
    for (let n = 0; n < 8; n++)
      await s.ring.put(KEYSPACES.blocks, blockKey(orphan, n), '', Buffer.from('o'));
    s.advance(LEEWAY_MS + 1);
    const a = splitSweeper(s, 0);
    const b = splitSweeper(s, 1);
    const first = await a.run(HALVES[0]);
    expect(first.markComplete).toBe(false); // b has not published a mark yet
    expect(first.blocksScanned).toBe(0);
    const second = await b.run(HALVES[1]);
    const third = await a.run(HALVES[0]);
    expect([second.markComplete, third.markComplete]).toEqual([true, true]);
    expect(second.marksMerged).toBe(2);
    // The work is split: each marked its share, together every bucket once.
    const owner = (id: string) => (partitionOf(ringIndex(KEYSPACES.manifests, id), 8) < 4 ? 0 : 1);
    const expectedA = live.filter((m) => owner(m.bucketId) === 0).length;
    expect(third.bucketsMarked).toBe(expectedA);
    expect(second.bucketsMarked).toBe(12 - expectedA);
    expect(expectedA).toBeGreaterThan(0);
    expect(expectedA).toBeLessThan(12);
    for (let n = 0; n < 8; n++) {
      expect(await s.ring.get(KEYSPACES.blocks, blockKey(orphan, n))).toBeUndefined();
    }
    for (const manifest of live) {
      for (let n = 0; n < manifest.blockCount; n++) {
        expect(await s.ring.get(KEYSPACES.blocks, blockKey(manifest.versionId, n))).toBeDefined();
      }
    }
  });

  it('split mark: marks cover the ring only together, of this ring size and recent', () => {
    const header = (partitions: number[], shards: number[], startedAtMs = 10): MarkHeader => ({
      workerId: `w${partitions[0]}`,
      markId: 'm',
      startedAtMs,
      partitionCount: 4,
      partitions,
      shards,
      chunks: 1,
      bytes: 8,
      buckets: 0,
      versions: 0,
    });
    const halves = [header([0, 1], [0]), header([2, 3], [1])];
    expect(coveringMarks(halves, 4, 2, 0)).toHaveLength(2);
    expect(coveringMarks(halves.slice(0, 1), 4, 2, 0)).toBeUndefined();
    expect(coveringMarks([halves[0]!, header([2, 3], [1], 5)], 4, 2, 6)).toBeUndefined();
    expect(
      coveringMarks([halves[0]!, { ...halves[1]!, partitionCount: 8 }], 4, 2, 0),
    ).toBeUndefined();
    expect(coveringMarks([header([0, 1, 2, 3], [0])], 4, 2, 0)).toBeUndefined();
  });
});
