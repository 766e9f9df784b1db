/**
 * Storage usage per user: now (a sum over the user's buckets of their counters) and as
 * history (samples archived periodically to `usageStorage`). A sample's sort key is the
 * start of its archive slot, so every front end archiving the same slot writes the same
 * item: samples do not multiply with front ends, and a retried archive is idempotent.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { UserRecord } from '../../stanchion/core/records.js';
import { listUserBuckets, listUsers } from '../../stanchion/reader.js';
import { formatIsoBasic } from './core/iso8601.js';
import { noncurrentCounterKey } from '../objects/version-store.js';
import { addUsage, isZeroUsage, ZERO_USAGE, type Usage } from './core/storage-delta.js';
import type { StorageSample } from './core/usage-render.js';
import { scanSamples } from './sample-scan.js';
import type { StorageCounters } from './storage-counters.js';

/** One user's current usage, bucket by bucket. */
export interface UserUsage {
  total: Usage;
  buckets: Array<{ name: string; usage: Usage; noncurrent?: Usage }>;
  /** Noncurrent versions of versioned buckets; absent when there are none. */
  noncurrent?: Usage;
}

const USERS_PAGE = 100;

/** Current and archived storage usage. */
export class StorageUsage {
  constructor(
    private readonly ring: RingClient,
    private readonly counters: StorageCounters,
    private readonly clock: () => number,
  ) {}

  /** A user's usage now, from the counters (no manifest is read). */
  async userUsage(userId: string): Promise<UserUsage> {
    const buckets = [];
    let total: Usage = ZERO_USAGE;
    let noncurrent: Usage = ZERO_USAGE;
    for (const bucket of await listUserBuckets(this.ring, userId)) {
      const usage = await this.counters.bucketUsage(bucket.id);
      total = addUsage(total, usage);
      // Only a bucket ever versioned can hold noncurrent versions: no read for the rest.
      const old = bucket.versioning
        ? await this.counters.bucketUsage(noncurrentCounterKey(bucket.id))
        : ZERO_USAGE;
      if (isZeroUsage(old)) {
        buckets.push({ name: bucket.name, usage });
        continue;
      }
      buckets.push({ name: bucket.name, usage, noncurrent: old });
      noncurrent = addUsage(noncurrent, old);
    }
    return { total, buckets, ...(isZeroUsage(noncurrent) ? {} : { noncurrent }) };
  }

  /** Archives one sample per user for the slot holding now; returns how many. */
  async archiveAll(slotMs: number): Promise<number> {
    let cursor: string | undefined;
    let written = 0;
    for (;;) {
      const users = await listUsers(this.ring, cursor, USERS_PAGE);
      for (const user of users) {
        await this.archiveUser(user, slotMs);
        written++;
      }
      if (users.length < USERS_PAGE) return written;
      cursor = users.at(-1)!.keyId;
    }
  }

  /** Archives one sample of `user` for the slot holding now. */
  async archiveUser(user: UserRecord, slotMs: number): Promise<void> {
    const startMs = this.clock();
    const usage = await this.userUsage(user.id);
    const buckets: Record<string, Usage> = {};
    const noncurrent: Record<string, Usage> = {};
    for (const b of usage.buckets) {
      buckets[b.name] = b.usage;
      if (b.noncurrent) noncurrent[b.name] = b.noncurrent;
    }
    const sample: StorageSample = { startMs, endMs: this.clock(), buckets };
    if (usage.noncurrent) sample.noncurrent = noncurrent;
    const sk = formatIsoBasic(Math.floor(startMs / slotMs) * slotMs);
    const value = Buffer.from(JSON.stringify(sample));
    await this.ring.put(KEYSPACES.usageStorage, user.id, sk, value);
  }

  /** Archived samples of `userId` whose slot starts within the window. */
  async samples(
    userId: string,
    window: { startMs: number; endMs: number; itemsMax: number },
  ): Promise<StorageSample[]> {
    const values = await scanSamples(this.ring, KEYSPACES.usageStorage, userId, window);
    return values.map((v) => JSON.parse(v.toString('utf8')) as StorageSample);
  }
}
