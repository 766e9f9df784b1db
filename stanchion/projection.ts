/**
 * Writes stanchion's decisions to the ring, where front ends read them. A record is written
 * only over older revisions, so re-projecting the log after a crash is safe, and a write
 * that a fenced stanchion sends late can never replace a newer decision.
 */
import type { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import type { StanchionEvent } from './core/commands.js';
import { isNewerRevision, type Revision } from './core/records.js';

/** Key of the one partition that indexes every user (GET /riak-cs/users scans it). */
export const USER_INDEX_PK = 'all';

/** Makes the ring reflect one event. */
export async function projectEvent(ring: RingClient, event: StanchionEvent): Promise<void> {
  switch (event.type) {
    case 'user-created':
    case 'user-updated': {
      const { user } = event;
      await putIfNewer(ring, KEYSPACES.users, user.id, '', user);
      await putIfNewer(ring, KEYSPACES.usersByKey, user.keyId, '', user);
      await putIfNewer(ring, KEYSPACES.userIndex, USER_INDEX_PK, user.keyId, user);
      return;
    }
    case 'bucket-created':
    case 'bucket-updated':
    case 'bucket-deleted': {
      const bucket =
        event.type === 'bucket-deleted'
          ? { ...event.bucket, deleted: true as const }
          : event.bucket;
      await putIfNewer(ring, KEYSPACES.buckets, bucket.name, '', bucket);
      await putIfNewer(ring, KEYSPACES.userBuckets, bucket.ownerId, bucket.name, bucket);
      // The id's own record outlives a re-created bucket of the same name (a new id), so
      // the deleted-bucket collector (src/objects/bucket-collector.ts) always finds it.
      if (event.type === 'bucket-deleted') {
        await putIfNewer(ring, KEYSPACES.deletedBuckets, bucket.id, '', bucket);
      }
      return;
    }
  }
}

async function putIfNewer(
  ring: RingClient,
  keyspace: string,
  pk: string,
  sk: string,
  record: { rev?: Revision },
): Promise<void> {
  const current = await ring.getVersioned(keyspace, pk, sk);
  for (const value of current.values) {
    const rev = (JSON.parse(value.toString('utf8')) as { rev?: Revision }).rev;
    if (!isNewerRevision(record.rev, rev)) return;
  }
  const body = Buffer.from(JSON.stringify(record));
  await ring.putVersioned(keyspace, pk, sk, body, current.context);
}
