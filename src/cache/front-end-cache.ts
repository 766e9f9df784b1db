/**
 * Builds a front end's record cache over its stanchion client: revalidated through the
 * client's `changes` (in-process for the embedded store, HTTP in a cluster). A client
 * without it (a test double) gets no cache, and every lookup reads the ring.
 */
import type { RingClient } from '../../ring/client.js';
import type { StanchionClient } from '../../stanchion/client.js';
import type { BucketRecord } from '../../stanchion/core/records.js';
import { RecordCache, RECORD_CACHE_LIMITS, type RecordCacheLimits } from './record-cache.js';
import { Revalidator } from './revalidator.js';

/** A record cache for `stanchion`'s records, or undefined when it cannot be revalidated. */
export function recordCacheFor<Access>(
  ring: RingClient,
  stanchion: StanchionClient,
  compile: (bucket: BucketRecord) => Access,
  limits: RecordCacheLimits = RECORD_CACHE_LIMITS,
): RecordCache<Access> | undefined {
  const changes = stanchion.changes?.bind(stanchion);
  if (!changes) return undefined;
  const sink = {
    evict: (changed: Parameters<RecordCache<Access>['evict']>[0]) => cache.evict(changed),
    clear: () => cache.clear(),
  };
  const revalidator = new Revalidator(changes, sink, { nowMs: () => performance.now() });
  // The sink's closures run only after this line: the cache exists by then.
  const cache = new RecordCache(ring, revalidator, compile, limits);
  return cache;
}
