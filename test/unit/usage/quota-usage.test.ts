/**
 * The usage quota checks read (src/usage/quota-usage.ts) over an in-memory ring: this front
 * end's commits count at once; another writer's flushed counters are seen once the cache
 * refreshes; this front end's own flush never hides its deltas (the cache re-reads).
 */
import { describe, expect, it } from 'vitest';
import { QuotaUsage } from '../../../src/usage/quota-usage.js';
import { StorageCounters } from '../../../src/usage/storage-counters.js';
import type { Manifest } from '../../../src/objects/manifest.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const sized = (size: number) => ({ size }) as Manifest;

describe('quota usage', () => {
  it('own commits at once, others after a refresh, own flushes never lost', async () => {
    const ring = memoryRing();
    let nowMs = 0;
    const mine = new StorageCounters(ring, 'fe-1', () => nowMs);
    const other = new StorageCounters(ring, 'fe-2', () => nowMs);
    const usage = new QuotaUsage(ring, mine, () => nowMs, 1000);
    const bucket = { id: 'b1' };
    expect(await usage.bucketUsage(bucket)).toEqual({ objects: 0, bytes: 0 });
    mine.onCommit('b1', undefined, sized(100));
    expect(await usage.bucketUsage(bucket)).toEqual({ objects: 1, bytes: 100 });
    other.onCommit('b1', undefined, sized(50));
    await other.flush();
    nowMs = 500; // cached: the other writer's flush is not seen yet
    expect(await usage.bucketUsage(bucket)).toEqual({ objects: 1, bytes: 100 });
    await mine.flush(); // our deltas move to the ring: the cache must not lose them
    expect(await usage.bucketUsage(bucket)).toEqual({ objects: 2, bytes: 150 });
    other.onCommit('b1', undefined, sized(25));
    await other.flush();
    nowMs = 1600;
    expect(await usage.bucketUsage(bucket)).toEqual({ objects: 3, bytes: 175 });
  });
});
