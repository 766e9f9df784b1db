/**
 * Which bucket ids are dead: the deleted-bucket collector may remove a record only under an
 * id this says is. An id is dead when stanchion recorded its deletion: its own record in the
 * deleted-buckets keyspace (written since the collector exists), or a deleted marker in a
 * user's bucket list carrying it (what buckets deleted before then left). Ids are UUIDs
 * never reused, so a dead id stays dead; a bucket re-created under the same name has a new
 * id and is never touched. An id with neither record and no live bucket is only counted
 * (`unknown`), never collected: without stanchion's word it could be a bucket too new for
 * the listing read at the start of the pass.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { BucketRecord } from '../../stanchion/core/records.js';
import { listUsers, scanUserBuckets } from '../../stanchion/reader.js';

const PAGE = 1000;

/** What an id is to the collector. */
export type BucketIdState = 'live' | 'dead' | 'unknown';

/** One pass's view of bucket ids; see the file comment. */
export class DeadBucketIds {
  private readonly live = new Set<string>();
  private readonly dead = new Set<string>();
  private readonly checked = new Map<string, BucketIdState>();

  private constructor(private readonly ring: RingClient) {}

  /** Reads every user's bucket list (deleted markers included) once. */
  static async load(ring: RingClient): Promise<DeadBucketIds> {
    const ids = new DeadBucketIds(ring);
    let afterKey: string | undefined;
    for (;;) {
      const users = await listUsers(ring, afterKey, PAGE);
      for (const user of users) await ids.loadUser(user.id);
      if (users.length < PAGE) return ids;
      afterKey = users.at(-1)!.keyId;
    }
  }

  private async loadUser(userId: string): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = { limit: PAGE, ...(after === undefined ? {} : { after }) };
      const buckets = await scanUserBuckets(this.ring, userId, page);
      for (const bucket of buckets) (bucket.deleted ? this.dead : this.live).add(bucket.id);
      if (buckets.length < PAGE) return;
      after = buckets.at(-1)!.name;
    }
  }

  /** Whether `bucketId` is live, dead (collectable) or unknown (left alone). */
  async stateOf(bucketId: string): Promise<BucketIdState> {
    if (this.live.has(bucketId)) return 'live';
    if (this.dead.has(bucketId)) return 'dead';
    const known = this.checked.get(bucketId);
    if (known) return known;
    const record = await this.ring.get(KEYSPACES.deletedBuckets, bucketId);
    const parsed = record ? (JSON.parse(record.toString('utf8')) as BucketRecord) : undefined;
    const state = parsed?.id === bucketId ? 'dead' : 'unknown';
    this.checked.set(bucketId, state);
    return state;
  }
}
