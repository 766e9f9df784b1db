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

/** One record the projection writes: where, and what. */
interface ProjectionWrite {
  keyspace: string;
  pk: string;
  sk: string;
  record: { rev?: Revision };
}

/** The records one event makes the ring hold. */
function writesOf(event: StanchionEvent): ProjectionWrite[] {
  switch (event.type) {
    case 'user-created':
    case 'user-updated': {
      const { user } = event;
      return [
        { keyspace: KEYSPACES.users, pk: user.id, sk: '', record: user },
        { keyspace: KEYSPACES.usersByKey, pk: user.keyId, sk: '', record: user },
        { keyspace: KEYSPACES.userIndex, pk: USER_INDEX_PK, sk: user.keyId, record: user },
      ];
    }
    case 'bucket-created':
    case 'bucket-updated':
    case 'bucket-deleted': {
      const bucket =
        event.type === 'bucket-deleted'
          ? { ...event.bucket, deleted: true as const }
          : event.bucket;
      const writes: ProjectionWrite[] = [
        { keyspace: KEYSPACES.buckets, pk: bucket.name, sk: '', record: bucket },
        { keyspace: KEYSPACES.userBuckets, pk: bucket.ownerId, sk: bucket.name, record: bucket },
      ];
      // The id's own record outlives a re-created bucket of the same name (a new id), so
      // the deleted-bucket collector (src/objects/bucket-collector.ts) always finds it.
      if (event.type === 'bucket-deleted') {
        writes.push({ keyspace: KEYSPACES.deletedBuckets, pk: bucket.id, sk: '', record: bucket });
      }
      return writes;
    }
  }
}

/** Makes the ring reflect one event. */
export async function projectEvent(ring: RingClient, event: StanchionEvent): Promise<void> {
  for (const write of writesOf(event)) await putIfNewer(ring, write);
}

/** How many records a batch's projection writes at once. */
const PROJECTION_PARALLEL = 32;

/**
 * Makes the ring reflect `events`, in log order: what each record ends as. A record that
 * several events write gets only the last (newest revision), which putIfNewer would let
 * win anyway; distinct records are written in parallel, up to PROJECTION_PARALLEL at once.
 */
export async function projectEvents(
  ring: RingClient,
  events: readonly StanchionEvent[],
): Promise<void> {
  const last = new Map<string, ProjectionWrite>();
  for (const write of events.flatMap(writesOf)) {
    // JSON of the triple: keys are client strings, so no separator can be trusted.
    last.set(JSON.stringify([write.keyspace, write.pk, write.sk]), write);
  }
  const writes = [...last.values()];
  let next = 0;
  const worker = async () => {
    while (next < writes.length) await putIfNewer(ring, writes[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PROJECTION_PARALLEL, writes.length) }, worker));
}

async function putIfNewer(ring: RingClient, write: ProjectionWrite): Promise<void> {
  const { keyspace, pk, sk, record } = write;
  const current = await ring.getVersioned(keyspace, pk, sk);
  for (const value of current.values) {
    const rev = (JSON.parse(value.toString('utf8')) as { rev?: Revision }).rev;
    if (!isNewerRevision(record.rev, rev)) return;
  }
  const body = Buffer.from(JSON.stringify(record));
  await ring.putVersioned(keyspace, pk, sk, body, current.context);
}
