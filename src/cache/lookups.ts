/**
 * The reads S3 handlers make of stanchion's records, through the front end's cache when it
 * has one (record-cache.ts) and straight from the ring when not. `request` is the object
 * that stands for one request (its fastify request): every lookup of a request shares one
 * freshness check.
 */
import type { RingClient } from '../../ring/client.js';
import type { BucketRecord, UserRecord } from '../../stanchion/core/records.js';
import { readBucket, readUserById, readUserByKey } from '../../stanchion/reader.js';
import type { RecordCache } from './record-cache.js';

/** What the lookups need of the front end's dependencies. */
export interface LookupDeps {
  ring: RingClient;
  records?: RecordCache<unknown>;
}

/** The user holding `keyId`, if any. */
export function userByKey(
  deps: LookupDeps,
  request: object,
  keyId: string,
): Promise<UserRecord | undefined> {
  return deps.records ? deps.records.userByKey(request, keyId) : readUserByKey(deps.ring, keyId);
}

/** The user with canonical id `id`, if any. */
export function userById(
  deps: LookupDeps,
  request: object,
  id: string,
): Promise<UserRecord | undefined> {
  return deps.records ? deps.records.userById(request, id) : readUserById(deps.ring, id);
}

/** The bucket named `name`, if any. */
export function bucketNamed(
  deps: LookupDeps,
  request: object,
  name: string,
): Promise<BucketRecord | undefined> {
  return deps.records ? deps.records.bucket(request, name) : readBucket(deps.ring, name);
}
