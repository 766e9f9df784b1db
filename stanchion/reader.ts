/**
 * Reads stanchion's records from the ring for front ends: users by access key, buckets by
 * name, a user's buckets in name order, every user. Reads never go through stanchion, so
 * they keep working while it is unreachable.
 */
import type { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import type { BucketRecord, UserRecord } from './core/records.js';
import { USER_INDEX_PK } from './projection.js';

/** The user holding `keyId`, if any. */
export async function readUserByKey(ring: RingClient, keyId: string) {
  const value = await ring.get(KEYSPACES.usersByKey, keyId);
  return value ? (JSON.parse(value.toString('utf8')) as UserRecord) : undefined;
}

/** The bucket named `name`, if any (a deleted bucket's marker reads as none). */
export async function readBucket(ring: RingClient, name: string) {
  const value = await ring.get(KEYSPACES.buckets, name);
  const bucket = value ? (JSON.parse(value.toString('utf8')) as BucketRecord) : undefined;
  return bucket?.deleted ? undefined : bucket;
}

/** Every bucket `ownerId` owns, in name order (bounded by the per-user bucket limit). */
export async function listUserBuckets(ring: RingClient, ownerId: string, limit = 1000) {
  const items = await ring.scan(KEYSPACES.userBuckets, ownerId, { limit });
  return items
    .map((item) => JSON.parse(item.value.toString('utf8')) as BucketRecord)
    .filter((bucket) => !bucket.deleted);
}

/**
 * One batch of `ownerId`'s bucket records in name order, after `after` and starting with
 * `prefix`, deleted markers included (so a caller paging past them always moves on).
 */
export async function scanUserBuckets(
  ring: RingClient,
  ownerId: string,
  options: { after?: string; prefix?: string; limit: number },
): Promise<BucketRecord[]> {
  const items = await ring.scan(KEYSPACES.userBuckets, ownerId, {
    ...(options.after !== undefined ? { after: Buffer.from(options.after, 'utf8') } : {}),
    ...(options.prefix ? { prefix: Buffer.from(options.prefix, 'utf8') } : {}),
    limit: options.limit,
  });
  return items.map((item) => JSON.parse(item.value.toString('utf8')) as BucketRecord);
}

/** The user with id `userId`, if any. */
export async function readUserById(ring: RingClient, userId: string) {
  const value = await ring.get(KEYSPACES.users, userId);
  return value ? (JSON.parse(value.toString('utf8')) as UserRecord) : undefined;
}

/** One page of every user, in access-key order, after `afterKeyId`. */
export async function listUsers(ring: RingClient, afterKeyId: string | undefined, limit: number) {
  const items = await ring.scan(KEYSPACES.userIndex, USER_INDEX_PK, {
    ...(afterKeyId !== undefined ? { after: Buffer.from(afterKeyId) } : {}),
    limit,
  });
  return items.map((item) => JSON.parse(item.value.toString('utf8')) as UserRecord);
}
