/**
 * The front end's record cache over an in-memory ring and a change feed standing in for
 * stanchion: hits once read, the very next request sees a change the feed reports, bounds
 * in entries and bytes, one check per request, no insert of a read a check overtook, and
 * the compiled access rules kept with the cached bucket.
 */
import { describe, expect, it } from 'vitest';
import { RecordCache } from '../../../src/cache/record-cache.js';
import { Revalidator } from '../../../src/cache/revalidator.js';
import { ChangeFeed } from '../../../stanchion/core/change-feed.js';
import type { StanchionEvent } from '../../../stanchion/core/commands.js';
import type { BucketRecord, StoredSecret, UserRecord } from '../../../stanchion/core/records.js';
import { projectEvent } from '../../../stanchion/projection.js';
import { memoryRing } from '../../helpers/memory-ring.js';

function user(keyId: string, seq: number, status: 'enabled' | 'disabled' = 'enabled') {
  const record: UserRecord = {
    id: `id-${keyId}`,
    keyId,
    secret: 'secret' as unknown as StoredSecret,
    email: `${keyId}@x.io`,
    name: keyId,
    displayName: keyId,
    status,
    isAdmin: false,
    createdAtMs: 0,
    rev: { epoch: 1, seq },
  };
  return record;
}

function bucket(name: string, seq: number, policy?: string): BucketRecord {
  return {
    name,
    id: `bid-${name}-${seq}`,
    ownerId: 'id-AK1',
    createdAtMs: 0,
    rev: { epoch: 1, seq },
    ...(policy ? { policy } : {}),
  };
}

function world(limits = { entriesMax: 100, bytesMax: 1 << 20 }) {
  const ring = memoryRing();
  const feed = new ChangeFeed();
  feed.restart({ epoch: 1, seq: 0 });
  let seq = 0;
  let asked = 0;
  const source = (from: Parameters<ChangeFeed['since']>[0]) => {
    asked++;
    return Promise.resolve(feed.since(from));
  };
  const sink = { evict: (c: never) => cache.evict(c), clear: () => cache.clear() };
  const revalidator = new Revalidator(source, sink, { nowMs: () => 0 });
  let compiles = 0;
  const compile = (b: BucketRecord) => ({ compiled: `${b.name}:${++compiles}` });
  const cache = new RecordCache(ring, revalidator, compile, limits);
  /** Projects events as stanchion does; `announce` false leaves the feed unaware. */
  const mutate = async (events: StanchionEvent[], announce = true) => {
    seq++;
    for (const event of events) await projectEvent(ring, event);
    if (announce) feed.record({ seq, epoch: 1, events, result: { ok: true } });
  };
  return { ring, cache, mutate, nextSeq: () => seq + 1, asked: () => asked, revalidator };
}

describe('record cache', () => {
  it('serves a cached user until the feed names it; the next request sees the change', async () => {
    const w = world();
    await w.mutate([{ type: 'user-created', user: user('AK1', w.nextSeq()) }]);
    expect((await w.cache.userByKey({}, 'AK1'))?.status).toBe('enabled');
    // Changed on the ring behind the feed's back: the cache still answers (it is a cache).
    await w.mutate([{ type: 'user-updated', user: user('AK1', w.nextSeq(), 'disabled') }], false);
    expect((await w.cache.userByKey({}, 'AK1'))?.status).toBe('enabled');
    // Announced: the very next request reads the ring again.
    await w.mutate([{ type: 'user-updated', user: user('AK1', w.nextSeq(), 'disabled') }]);
    expect((await w.cache.userByKey({}, 'AK1'))?.status).toBe('disabled');
    expect((await w.cache.userById({}, 'id-AK1'))?.status).toBe('disabled');
  });

  it('sees a bucket deleted and created again by another owner on the next request', async () => {
    const w = world();
    const first = bucket('photos', w.nextSeq());
    await w.mutate([{ type: 'bucket-created', bucket: first }]);
    expect((await w.cache.bucket({}, 'photos'))?.id).toBe(first.id);
    const again = { ...bucket('photos', w.nextSeq() + 1), ownerId: 'id-AK2' };
    await w.mutate([{ type: 'bucket-deleted', bucket: { ...first, rev: { epoch: 1, seq: 2 } } }]);
    expect(await w.cache.bucket({}, 'photos')).toBeUndefined();
    await w.mutate([{ type: 'bucket-created', bucket: again }]);
    const now = await w.cache.bucket({}, 'photos');
    expect(now?.ownerId).toBe('id-AK2');
  });

  it('makes one check per request, however many lookups it does', async () => {
    const w = world();
    await w.mutate([{ type: 'user-created', user: user('AK1', w.nextSeq()) }]);
    await w.mutate([{ type: 'bucket-created', bucket: bucket('b', w.nextSeq()) }]);
    const request = {};
    await w.cache.userByKey(request, 'AK1');
    await w.cache.bucket(request, 'b');
    await w.cache.userById(request, 'id-AK1');
    expect(w.asked()).toBe(1);
    await w.cache.bucket({}, 'b');
    expect(w.asked()).toBe(2);
  });

  it('keeps at most entriesMax records of a kind, and within bytesMax', async () => {
    const w = world({ entriesMax: 3, bytesMax: 1 << 20 });
    for (let i = 0; i < 10; i++) {
      await w.mutate([{ type: 'user-created', user: user(`AK${i}`, w.nextSeq()) }]);
      await w.cache.userByKey({}, `AK${i}`);
    }
    expect(w.cache.sizes().usersByKey).toBe(3);
    const small = world({ entriesMax: 100, bytesMax: 1500 });
    for (let i = 0; i < 10; i++) {
      await small.mutate([{ type: 'bucket-created', bucket: bucket(`b${i}`, small.nextSeq()) }]);
      await small.cache.bucket({}, `b${i}`);
    }
    const held = small.cache.sizes().buckets;
    expect(held).toBeGreaterThan(0);
    // Each costs 3 × its JSON (over 90 B) + 64: no more than 4 fit in 1,500 bytes.
    expect(held).toBeLessThanOrEqual(4);
  });

  it('does not keep a read that a later check overtook (it may predate the change)', async () => {
    const w = world();
    await w.mutate([{ type: 'user-created', user: user('AK1', w.nextSeq()) }]);
    // The ring answers the first read, then holds the answer back until released.
    const get = w.ring.get.bind(w.ring);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reads = 0;
    w.ring.get = async (...args: Parameters<typeof get>) => {
      const value = await get(...args);
      if (reads++ === 0) await held;
      return value;
    };
    const slow = w.cache.userByKey({}, 'AK1'); // read 'enabled', not yet returned
    while (reads === 0) await new Promise((r) => setImmediate(r));
    await w.mutate([{ type: 'user-updated', user: user('AK1', w.nextSeq(), 'disabled') }]);
    expect((await w.cache.userByKey({}, 'AK1'))?.status).toBe('disabled');
    release();
    expect((await slow)?.status).toBe('enabled'); // its request arrived before the change
    expect((await w.cache.userByKey({}, 'AK1'))?.status).toBe('disabled');
  });

  it('compiles a cached bucket once and shares the frozen record', async () => {
    const w = world();
    await w.mutate([{ type: 'bucket-created', bucket: bucket('b', w.nextSeq(), '{}') }]);
    const one = (await w.cache.bucket({}, 'b'))!;
    const two = (await w.cache.bucket({}, 'b'))!;
    expect(two).toBe(one);
    expect(Object.isFrozen(one)).toBe(true);
    expect(w.cache.accessOf(one)).toEqual({ compiled: 'b:1' });
    expect(w.cache.accessOf(two)).toBe(w.cache.accessOf(one));
    expect(w.cache.accessOf(bucket('b', 1))).toBeUndefined();
  });

  it('reads the ring, uncached, while stanchion cannot say', async () => {
    const ring = memoryRing();
    const failing = () => Promise.reject(new Error('down'));
    const sink = { evict: () => undefined, clear: () => undefined };
    const revalidator = new Revalidator(failing, sink, { nowMs: () => 0 });
    const cache = new RecordCache(ring, revalidator, () => 0);
    await projectEvent(ring, { type: 'user-created', user: user('AK1', 1) });
    expect((await cache.userByKey({}, 'AK1'))?.keyId).toBe('AK1');
    await projectEvent(ring, { type: 'user-updated', user: user('AK1', 2, 'disabled') });
    expect((await cache.userByKey({}, 'AK1'))?.status).toBe('disabled');
    expect(cache.sizes().usersByKey).toBe(0);
  });
});
