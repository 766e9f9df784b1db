/**
 * Writes stanchion's decisions to the ring, where front ends read them. Every write is an
 * idempotent put or delete, so re-projecting the log after a crash is always safe.
 */
import type { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import type { StanchionEvent } from './core/commands.js';

/** Makes the ring reflect one event. */
export async function projectEvent(ring: RingClient, event: StanchionEvent): Promise<void> {
  switch (event.type) {
    case 'user-created': {
      const body = Buffer.from(JSON.stringify(event.user));
      await ring.put(KEYSPACES.users, event.user.id, '', body);
      await ring.put(KEYSPACES.usersByKey, event.user.keyId, '', body);
      return;
    }
    case 'bucket-created': {
      const body = Buffer.from(JSON.stringify(event.bucket));
      await ring.put(KEYSPACES.buckets, event.bucket.name, '', body);
      await ring.put(KEYSPACES.userBuckets, event.bucket.ownerId, event.bucket.name, body);
      return;
    }
    case 'bucket-deleted':
      await ring.delete(KEYSPACES.userBuckets, event.bucket.ownerId, event.bucket.name);
      await ring.delete(KEYSPACES.buckets, event.bucket.name);
      return;
  }
}
