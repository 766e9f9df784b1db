/**
 * The lifecycle rules of buckets as the front end's object reads see them, kept a short
 * while so that GET, HEAD and PUT (which answer x-amz-expiration) do not each read the
 * bucket's settings record from the ring. A change made through this front end is seen at
 * once; one made through another is seen within `ttlMs`.
 */
import type { RingClient } from '../../../ring/client.js';
import { readBucketSettings } from '../bucket-settings.js';
import type { LifecycleRule } from './rules.js';

/** How long a bucket's rules are kept, in ms. */
export const RULES_TTL_MS = 1000;
/** Most buckets kept; past it the oldest entry goes. */
const ENTRIES_MAX = 10_000;

/** A bucket's rules read recently, by bucket id. */
export class LifecycleRulesCache {
  private readonly entries = new Map<string, { atMs: number; rules?: LifecycleRule[] }>();

  constructor(
    private readonly ring: RingClient,
    private readonly clock: () => number,
    private readonly ttlMs = RULES_TTL_MS,
  ) {}

  /** The bucket's rules (undefined: none), read again once older than the TTL. */
  async rules(bucketId: string): Promise<LifecycleRule[] | undefined> {
    const now = this.clock();
    const entry = this.entries.get(bucketId);
    if (entry && now - entry.atMs < this.ttlMs) return entry.rules;
    const { lifecycle } = await readBucketSettings(this.ring, bucketId);
    this.entries.delete(bucketId);
    if (this.entries.size >= ENTRIES_MAX) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(bucketId, { atMs: now, ...(lifecycle ? { rules: lifecycle } : {}) });
    return lifecycle;
  }

  /** Forgets a bucket's rules (this front end just changed them). */
  forget(bucketId: string): void {
    this.entries.delete(bucketId);
  }
}
