/**
 * Reads stanchion's records from the ring for front ends: users by access key, buckets by
 * name, a user's buckets in name order. Reads never go through stanchion, so they keep
 * working while it is unreachable.
 */
import type { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import type { BucketRecord, UserRecord } from './core/records.js';

/** The user holding `keyId`, if any. */
export async function readUserByKey(ring: RingClient, keyId: string) {
  const value = await ring.get(KEYSPACES.usersByKey, keyId);
  return value ? (JSON.parse(value.toString('utf8')) as UserRecord) : undefined;
}

/** The bucket named `name`, if any. */
export async function readBucket(ring: RingClient, name: string) {
  const value = await ring.get(KEYSPACES.buckets, name);
  return value ? (JSON.parse(value.toString('utf8')) as BucketRecord) : undefined;
}

/** Every bucket `ownerId` owns, in name order (bounded by the per-user bucket limit). */
export async function listUserBuckets(ring: RingClient, ownerId: string, limit = 1000) {
  const items = await ring.scan(KEYSPACES.userBuckets, ownerId, { limit });
  return items.map((item) => JSON.parse(item.value.toString('utf8')) as BucketRecord);
}

/** The user with id `userId`, if any. */
export async function readUserById(ring: RingClient, userId: string) {
  const value = await ring.get(KEYSPACES.users, userId);
  return value ? (JSON.parse(value.toString('utf8')) as UserRecord) : undefined;
}
