/**
 * Bucket settings (objects/bucket-settings.ts) as the object path reads them: kept a short
 * while, so that a GET, HEAD or PUT, which answers x-amz-expiration from the lifecycle rules
 * and seals by the default encryption, reads the bucket's settings record from the ring at
 * most once a second, not once per feature per request. AWS documents bucket configuration
 * as eventually consistent; a change made through this front end is seen at once (it
 * forgets its copy), one made through another within `ttlMs`.
 */
import type { RingClient } from '../../ring/client.js';
import { readBucketSettings, type BucketSettings } from './bucket-settings.js';

/** How long a bucket's settings are kept, in ms. */
export const SETTINGS_TTL_MS = 1000;
/** Most buckets kept; past it the oldest entry goes. */
const ENTRIES_MAX = 10_000;

/** Buckets' settings read recently, by bucket id. */
export class BucketSettingsCache {
  private readonly entries = new Map<string, { atMs: number; settings: BucketSettings }>();

  constructor(
    private readonly ring: RingClient,
    private readonly clock: () => number,
    private readonly ttlMs = SETTINGS_TTL_MS,
  ) {}

  /** The bucket's settings, read again once older than the TTL. */
  async settings(bucketId: string): Promise<BucketSettings> {
    const now = this.clock();
    const entry = this.entries.get(bucketId);
    if (entry && now - entry.atMs < this.ttlMs) return entry.settings;
    const settings = await readBucketSettings(this.ring, bucketId);
    this.entries.delete(bucketId);
    if (this.entries.size >= ENTRIES_MAX) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(bucketId, { atMs: now, settings });
    return settings;
  }

  /** Forgets a bucket's settings (this front end just changed them). */
  forget(bucketId: string): void {
    this.entries.delete(bucketId);
  }
}

/** A bucket's settings through `cache` when there is one, else straight from the ring. */
export function settingsOf(
  deps: { ring: RingClient; bucketSettings?: BucketSettingsCache },
  bucketId: string,
): Promise<BucketSettings> {
  return deps.bucketSettings?.settings(bucketId) ?? readBucketSettings(deps.ring, bucketId);
}
