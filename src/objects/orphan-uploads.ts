/**
 * Multipart uploads left in deleted buckets (Riak CS's riak-cs-admin cleanup-orphan-
 * multipart): objects are keyed by bucket id, so a bucket deleted while an upload was in
 * progress leaves that upload where no request can reach it, holding its parts' blocks.
 * This walks the uploads keyspace partition by partition, and aborts every upload whose
 * bucket id is no live bucket's and that was initiated before the cutoff (so an upload
 * that started after the walk began is never touched). Aborting queues the parts for GC.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { BucketRecord } from '../../stanchion/core/records.js';
import { listUsers } from '../../stanchion/reader.js';
import { uploadSortKey } from './multipart.js';
import type { MultipartStore } from './multipart-store.js';

/** One step of the walk, for the operator's screen. */
export type OrphanEvent =
  | { kind: 'bucket'; bucketId: string; name?: string; aborted: number; kept: number }
  | { kind: 'progress'; partitionsDone: number; partitions: number }
  | { kind: 'done'; buckets: number; aborted: number };

/** Partitions walked between two progress events (they also keep the answer flowing). */
const PROGRESS_EVERY = 8;

const PAGE = 1000;

/** Aborts orphan uploads initiated before `cutoffMs`, telling each bucket as it goes. */
export async function* cleanupOrphanUploads(
  ring: RingClient,
  multipart: MultipartStore,
  cutoffMs: number,
): AsyncGenerator<OrphanEvent> {
  const { live, names } = await knownBuckets(ring);
  let buckets = 0;
  let aborted = 0;
  for (let partition = 0; partition < ring.partitionCount; partition++) {
    for await (const bucketId of partitionBucketIds(ring, partition)) {
      if (live.has(bucketId)) continue;
      const counts = await abortOld(multipart, bucketId, cutoffMs);
      // A deleted bucket whose uploads are all gone keeps only tombstones: nothing to say.
      if (counts.aborted + counts.kept === 0) continue;
      buckets++;
      aborted += counts.aborted;
      yield { kind: 'bucket', bucketId, ...optionalName(names.get(bucketId)), ...counts };
    }
    const partitionsDone = partition + 1;
    if (partitionsDone % PROGRESS_EVERY === 0 && partitionsDone < ring.partitionCount) {
      yield { kind: 'progress', partitionsDone, partitions: ring.partitionCount };
    }
  }
  yield { kind: 'done', buckets, aborted };
}

function optionalName(name: string | undefined) {
  return name === undefined ? {} : { name };
}

/** Live bucket ids, and the names of every bucket a user had (deleted ones included). */
async function knownBuckets(ring: RingClient) {
  const live = new Set<string>();
  const names = new Map<string, string>();
  let after: string | undefined;
  for (;;) {
    const users = await listUsers(ring, after, PAGE);
    for (const user of users) {
      const items = await ring.scan(KEYSPACES.userBuckets, user.id, { limit: PAGE });
      for (const item of items) {
        const bucket = JSON.parse(item.value.toString('utf8')) as BucketRecord;
        names.set(bucket.id, bucket.name);
        if (!bucket.deleted) live.add(bucket.id);
      }
    }
    if (users.length < PAGE) return { live, names };
    after = users.at(-1)!.keyId;
  }
}

async function* partitionBucketIds(ring: RingClient, partition: number) {
  let after: Buffer | undefined;
  for (;;) {
    const page = await ring.partitionKeys(KEYSPACES.uploads, partition, {
      ...(after ? { after } : {}),
      limit: PAGE,
    });
    for (const key of page.keys) yield key.toString('utf8');
    if (!page.next) return;
    after = page.next;
  }
}

async function abortOld(multipart: MultipartStore, bucketId: string, cutoffMs: number) {
  const counts = { aborted: 0, kept: 0 };
  let after: Buffer | undefined;
  for (;;) {
    const page = await multipart.scanUploads(bucketId, {
      ...(after ? { after } : {}),
      limit: PAGE,
    });
    for (const upload of page) {
      if (upload.initiatedMs >= cutoffMs) {
        counts.kept++;
        continue;
      }
      await multipart.abort(upload);
      counts.aborted++;
    }
    if (page.length < PAGE) return counts;
    after = Buffer.from(uploadSortKey(page.at(-1)!.key, page.at(-1)!.uploadId));
  }
}
