/**
 * The usage a quota check compares against, per bucket and per user, read from the storage
 * counters. What other front ends wrote is read from the ring at most once per `refreshMs`
 * per bucket or user (a quota check must not cost a range read per PUT); what this front
 * end committed is added live from its unflushed deltas, so its own writes count at once.
 * Hence the documented overshoot: writes through other front ends are seen only once they
 * flush (usage flush interval) and this cache refreshes (refreshMs).
 */
import type { RingClient } from '../../ring/client.js';
import type { BucketRecord } from '../../stanchion/core/records.js';
import { listUserBuckets } from '../../stanchion/reader.js';
import { noncurrentCounterKey } from '../objects/version-store.js';
import { addUsage, sumCounters, ZERO_USAGE, type Usage } from './core/storage-delta.js';
import type { StorageCounters } from './storage-counters.js';

/** How long stored usage is trusted by default, in ms. */
export const QUOTA_REFRESH_MS_DEFAULT = 1000;

/** Cached entries at most; past it the oldest go (each is small, the bound is for safety). */
const ENTRIES_MAX = 10_000;

/** Stored usage of some counter keys, as read at `atMs`. */
interface Stored {
  usage: Usage;
  /** The counter keys it sums: this front end's unflushed deltas of these are added live. */
  keys: string[];
}

/** A cached read: when it started, after how many of this front end's flushes. */
interface Entry {
  atMs: number;
  flushes: number;
  stored: Promise<Stored>;
}

/** What a quota check needs of a bucket record. */
type BucketOfQuota = Pick<BucketRecord, 'id' | 'versioning'>;

/** Usage for quota checks: stored sums cached briefly, this front end's deltas live. */
export class QuotaUsage {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly ring: RingClient,
    private readonly counters: StorageCounters,
    private readonly clock: () => number,
    /** How long a stored sum is reused before it is read again, in ms. */
    readonly refreshMs: number = QUOTA_REFRESH_MS_DEFAULT,
  ) {}

  /** A bucket's usage: current objects, and noncurrent versions where it was versioned. */
  bucketUsage(bucket: BucketOfQuota): Promise<Usage> {
    return this.withLive(this.cached(`b:${bucket.id}`, () => this.readBucket(bucket)));
  }

  /** The usage of every bucket `ownerId` owns. */
  userUsage(ownerId: string): Promise<Usage> {
    return this.withLive(this.cached(`u:${ownerId}`, () => this.readUser(ownerId)));
  }

  private async withLive(stored: Promise<Stored>): Promise<Usage> {
    const { usage, keys } = await stored;
    return keys.reduce((sum, key) => addUsage(sum, this.counters.unflushed(key)), usage);
  }

  private cached(key: string, read: () => Promise<Stored>): Promise<Stored> {
    const nowMs = this.clock();
    const flushes = this.counters.flushes;
    const hit = this.cache.get(key);
    // After a flush of ours, our flushed deltas are in neither the old read nor unflushed.
    if (hit && nowMs - hit.atMs < this.refreshMs && hit.flushes === flushes) return hit.stored;
    const stored = read();
    // A failed read is not kept: the next check reads again.
    stored.catch(() => this.cache.get(key)?.stored === stored && this.cache.delete(key));
    this.cache.delete(key);
    this.cache.set(key, { atMs: nowMs, flushes, stored });
    if (this.cache.size > ENTRIES_MAX) this.cache.delete(this.cache.keys().next().value!);
    return stored;
  }

  private async readBucket(bucket: BucketOfQuota): Promise<Stored> {
    const keys = bucket.versioning ? [bucket.id, noncurrentCounterKey(bucket.id)] : [bucket.id];
    let usage: Usage = ZERO_USAGE;
    for (const key of keys) usage = addUsage(usage, await this.storedOf(key));
    return { usage, keys };
  }

  private async readUser(ownerId: string): Promise<Stored> {
    let usage: Usage = ZERO_USAGE;
    const keys: string[] = [];
    for (const bucket of await listUserBuckets(this.ring, ownerId)) {
      const one = await this.readBucket(bucket);
      usage = addUsage(usage, one.usage);
      keys.push(...one.keys);
    }
    return { usage, keys };
  }

  private async storedOf(counterKey: string): Promise<Usage> {
    return sumCounters((await this.counters.records(counterKey)).map((r) => r.record));
  }
}
