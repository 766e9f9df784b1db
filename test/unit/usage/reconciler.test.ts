/**
 * Storage counters and the reconciler over an in-memory ring: counters kept by the object
 * layer's commit hook match a scan, survive a flush, and a corrupted or lost record is
 * corrected by one reconciler pass (and the next pass finds nothing to do).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { UsageReconciler } from '../../../src/usage/reconciler.js';
import { StorageCounters } from '../../../src/usage/storage-counters.js';
import { memoryRing } from '../../helpers/memory-ring.js';

function setup(writerId = 'fe-1') {
  const ring = memoryRing();
  const counters = new StorageCounters(ring, writerId, () => 1000);
  const options = { blockSize: 16, inFlightMax: 2, objectBytesMax: 1 << 20 };
  const objects = new ObjectStore(ring, new GcQueue(ring, 1000), options, () => 1000, counters);
  const reconciler = new UsageReconciler(ring, objects, counters, { scanPageSize: 3 });
  const put = (key: string, size: number) =>
    objects.put(
      {
        versionId: `${key}-${size}-${Math.random()}`,
        bucketId: 'bkt',
        key,
        headers: { contentType: 'x' },
        metadata: {},
        checksums: {},
      },
      Readable.from([Buffer.alloc(size)]),
      () => {},
    );
  return { ring, counters, objects, reconciler, put };
}

describe('usage: counters and reconciler', () => {
  it('counters follow PUT, overwrite and DELETE, before and after a flush', async () => {
    const { counters, objects, reconciler, put } = setup();
    await put('a', 10);
    await put('b', 20);
    await put('a', 5);
    await objects.delete('bkt', 'b');
    await objects.delete('bkt', 'nothing');
    for (let i = 0; i < 7; i++) await put(`k${i}`, i);
    const expected = { objects: 8, bytes: 5 + 21 };
    expect(await counters.bucketUsage('bkt')).toEqual(expected);
    expect(counters.unflushed('bkt')).toEqual(expected);
    await counters.flush();
    expect(counters.unflushed('bkt')).toEqual({ objects: 0, bytes: 0 });
    expect(await counters.bucketUsage('bkt')).toEqual(expected);
    expect(await reconciler.count('bkt')).toEqual(expected);
    expect((await reconciler.reconcile('bkt')).outcome).toBe('exact');
  });

  it('a read during a flush still counts the deltas being written', async () => {
    const { counters, put } = setup();
    for (let i = 0; i < 3; i++) await put(`k${i}`, 10);
    const flushing = counters.flush();
    expect(await counters.bucketUsage('bkt')).toEqual({ objects: 3, bytes: 30 });
    await flushing;
    expect(await counters.bucketUsage('bkt')).toEqual({ objects: 3, bytes: 30 });
  });

  it('a corrupted writer record and a lost one are corrected in one pass', async () => {
    const { counters, reconciler, put } = setup();
    for (let i = 0; i < 5; i++) await put(`k${i}`, 100);
    await counters.flush();
    await counters.addToRecord('bkt', 'fe-crashed', { objects: 3, bytes: -42 }); // injected
    expect(await counters.bucketUsage('bkt')).toEqual({ objects: 8, bytes: 458 });
    const first = await reconciler.reconcile('bkt');
    expect(first.outcome).toBe('corrected');
    expect(await counters.bucketUsage('bkt')).toEqual({ objects: 5, bytes: 500 });
    expect((await reconciler.reconcile('bkt')).outcome).toBe('exact');
    await put('k9', 1); // counting goes on from the corrected sum
    expect(await counters.bucketUsage('bkt')).toEqual({ objects: 6, bytes: 501 });
  });

  it('a front end that died before flushing is healed by another', async () => {
    const { ring, put, counters: lost } = setup('fe-dead');
    for (let i = 0; i < 4; i++) await put(`k${i}`, 10);
    expect(lost.unflushed('bkt').objects).toBe(4); // never flushed: the process "died"
    const survivor = new StorageCounters(ring, 'fe-2', () => 2000);
    const objects = new ObjectStore(
      ring,
      new GcQueue(ring, 1000),
      { blockSize: 16, inFlightMax: 2, objectBytesMax: 1 << 20 },
      () => 2000,
      survivor,
    );
    expect(await survivor.bucketUsage('bkt')).toEqual({ objects: 0, bytes: 0 });
    await new UsageReconciler(ring, objects, survivor).reconcile('bkt');
    expect(await survivor.bucketUsage('bkt')).toEqual({ objects: 4, bytes: 40 });
  });
});
