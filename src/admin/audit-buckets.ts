/**
 * GET /riak-cs/audit-bucket-ownership, behind `cairn-admin audit-bucket-ownership` (Riak
 * CS's riak-cs-admin audit-bucket-ownership): compares the two records stanchion projects
 * for every bucket — the bucket by name, and the entry in its owner's bucket list — and
 * reports every bucket whose two disagree (one missing, another id or owner), both ways:
 * from each user's list, and from a walk of every bucket record on the ring. Admin only;
 * it reads, never repairs (stanchion re-projects its log on takeover).
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { BucketRecord, UserRecord } from '../../stanchion/core/records.js';
import { listUserBuckets, listUsers, readBucket, readUserById } from '../../stanchion/reader.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';

/** One disagreement between a bucket's record and its owner's list. */
export interface Inconsistency {
  bucket: string;
  user?: string;
  problem: string;
}

const PAGE = 1000;

/** GET /riak-cs/audit-bucket-ownership */
export async function auditBucketsRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const found = await auditBucketOwnership(ctx.deps.ring);
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(found));
}

/** Every inconsistency, and how much was checked. */
export async function auditBucketOwnership(ring: RingClient) {
  const inconsistencies: Inconsistency[] = [];
  let users = 0;
  const listed = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await listUsers(ring, after, PAGE);
    for (const user of page) {
      users++;
      for (const entry of await listUserBuckets(ring, user.id)) {
        listed.add(`${user.id}/${entry.name}`);
        const problem = await fromUserList(ring, user, entry);
        if (problem) inconsistencies.push({ bucket: entry.name, user: user.keyId, problem });
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.keyId;
  }
  let buckets = 0;
  for (let partition = 0; partition < ring.partitionCount; partition++) {
    for await (const name of bucketNames(ring, partition)) {
      const bucket = await readBucket(ring, name);
      if (!bucket) continue;
      buckets++;
      if (listed.has(`${bucket.ownerId}/${bucket.name}`)) continue;
      const owner = await readUserById(ring, bucket.ownerId);
      const problem = owner ? "missing from its owner's bucket list" : 'its owner does not exist';
      inconsistencies.push({ bucket: name, ...(owner ? { user: owner.keyId } : {}), problem });
    }
  }
  return { users, buckets, inconsistencies };
}

async function fromUserList(ring: RingClient, user: UserRecord, entry: BucketRecord) {
  const bucket = await readBucket(ring, entry.name);
  if (!bucket) return 'listed by the user, but the bucket does not exist';
  if (bucket.ownerId !== user.id) return 'listed by the user, but owned by another user';
  if (bucket.id !== entry.id) return 'listed by the user with another bucket id';
  return undefined;
}

async function* bucketNames(ring: RingClient, partition: number) {
  let after: Buffer | undefined;
  for (;;) {
    const page = await ring.partitionKeys(KEYSPACES.buckets, partition, {
      ...(after ? { after } : {}),
      limit: PAGE,
    });
    for (const key of page.keys) yield key.toString('utf8');
    if (!page.next) return;
    after = page.next;
  }
}
