import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { BucketCollector, bucketIdOf } from '../../../src/objects/bucket-collector.js';
import { BucketCollectProgressStore } from '../../../src/objects/bucket-collector-progress.js';
import { writeBucketSetting } from '../../../src/objects/bucket-settings.js';
import { blockKey } from '../../../src/objects/manifest.js';
import {
  leakSetup,
  LEEWAY_MS,
  openUpload,
  putObject,
  recordDeleted,
  recordsUnder,
  seedBucket,
  seedOwner,
  type LeakSetup,
} from '../../helpers/leak-fixtures.js';

function collector(s: LeakSetup, partitions?: number[]) {
  return new BucketCollector({
    workerId: 'w1',
    ring: s.ring,
    objects: s.objects,
    multipart: s.multipart,
    progress: new BucketCollectProgressStore(s.ring),
    partitions: () => partitions,
    intervalMs: Infinity,
    ratePerSecond: 1_000_000,
    clock: s.now,
    sleep: async () => undefined,
    log: (message, error) => {
      throw new Error(`${message}: ${String(error)}`);
    },
  });
}

/** Everything a bucket may hold: objects, an open upload, a setting, usage counters. */
async function fill(s: LeakSetup, bucketId: string) {
  const object = await putObject(s, bucketId, 'k');
  const { part } = await openUpload(s, bucketId, 'open');
  const write = { nowMs: s.now(), writeId: s.newId() };
  await writeBucketSetting(s.ring, bucketId, 'tags', [{ key: 'a', value: 'b' }], write);
  const counter = Buffer.from(JSON.stringify({ objects: 1, bytes: 12, seq: 1, updatedMs: 0 }));
  await s.ring.put(KEYSPACES.usageCounters, bucketId, 'fe1', counter);
  await s.ring.put(KEYSPACES.usageCounters, `${bucketId}/noncurrent`, 'fe1', counter);
  return { object, part };
}

async function held(s: LeakSetup, bucketId: string): Promise<number> {
  let count = 0;
  for (const ks of [KEYSPACES.manifests, KEYSPACES.uploads, KEYSPACES.bucketSettings]) {
    count += (await recordsUnder(s, ks, bucketId)).length;
  }
  count += (await recordsUnder(s, KEYSPACES.usageCounters, bucketId)).length;
  count += (await recordsUnder(s, KEYSPACES.usageCounters, `${bucketId}/noncurrent`)).length;
  return count;
}

describe('bucket collector', () => {
  it("collects a deleted bucket's records, never a live, re-created or unknown one's", async () => {
    const s = leakSetup();
    await seedOwner(s);
    await seedBucket(s, 'live', 'id-live');
    await seedBucket(s, 'old', 'id-old', true); // deleted before the collector: marker only
    await recordDeleted(s, 'again', 'id-again-1'); // deleted, then the name re-created
    await seedBucket(s, 'again', 'id-again-2');
    const dead = await fill(s, 'id-old');
    await fill(s, 'id-again-1');
    for (const id of ['id-live', 'id-again-2', 'id-unknown']) await fill(s, id);
    const c = collector(s);
    await c.runPass();
    expect(await held(s, 'id-old')).toBe(0);
    expect(await held(s, 'id-again-1')).toBe(0);
    for (const id of ['id-live', 'id-again-2', 'id-unknown']) expect(await held(s, id)).toBe(5);
    const counts = c.progress.lastPass!.counts;
    expect(counts.unknown).toBe(5); // id-unknown's five partition keys, left alone
    // Blocks and parts go through GC, after the leeway, as a client's delete sends them.
    const block = blockKey(dead.object.versionId, 0);
    expect(await s.ring.get(KEYSPACES.blocks, block)).toBeDefined();
    s.advance(LEEWAY_MS + 1);
    await s.gc.collectDue(s.now(), 100_000);
    expect(await s.ring.get(KEYSPACES.blocks, block)).toBeUndefined();
    expect(await s.ring.get(KEYSPACES.blocks, blockKey(dead.part.versionId, 0))).toBeUndefined();
    expect(await recordsUnder(s, KEYSPACES.parts, 'x')).toEqual([]);
  });

  it('bucket collector: a pass stopped early is finished by the next collector', async () => {
    const s = leakSetup();
    await seedOwner(s);
    for (let i = 0; i < 30; i++) {
      await recordDeleted(s, `b${i}`, `id-${i}`);
      await putObject(s, `id-${i}`, 'k');
    }
    const first = collector(s, [0, 1, 2, 3, 4, 5, 6, 7]);
    await first.start();
    await first.stop();
    const second = collector(s, [0, 1, 2, 3, 4, 5, 6, 7]);
    await second.runPass();
    for (let i = 0; i < 30; i++) {
      expect(await recordsUnder(s, KEYSPACES.manifests, `id-${i}`)).toEqual([]);
    }
    const stored = await new BucketCollectProgressStore(s.ring).read('w1');
    expect(stored?.lastPass?.counts.partitions).toBeGreaterThan(0);
    expect(stored?.current).toBeUndefined();
  });

  it("bucket collector: a counter key's bucket id", () => {
    expect(bucketIdOf('0190-ab/noncurrent')).toBe('0190-ab');
    expect(bucketIdOf('0190-ab')).toBe('0190-ab');
  });
});
