/**
 * The background reconciler: one bucket at a time, at a bounded rate, it counts the bucket
 * by scanning its manifests and writes a correction record (under its own writer id) so
 * that the sum over every writer matches the count. Counters drift when a front end dies
 * with unflushed deltas, or when concurrent writers each count a new key; this heals both.
 *
 * What error remains: the scan is not a snapshot. A commit that lands during the scan, or
 * that another front end committed but has not flushed yet, may be counted by the scan and
 * then again by its writer's flush (or the other way round). The pass skips the correction
 * when it sees a flush or a local commit during its scan; the rest is off by at most what
 * other front ends committed within one flush interval, and the next pass fixes it.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { BucketRecord } from '../../stanchion/core/records.js';
import { listUserBuckets, listUsers } from '../../stanchion/reader.js';
import type { ObjectStore } from '../objects/object-store.js';
import { parseVersionSortKey } from '../objects/version-keys.js';
import { noncurrentCounterKey } from '../objects/version-store.js';
import {
  addUsage,
  correctionFor,
  decodeCounter,
  isZeroUsage,
  subtractUsage,
  sumCounters,
  ZERO_USAGE,
  type Usage,
} from './core/storage-delta.js';
import type { StorageCounters, WriterRecord } from './storage-counters.js';

/** The sort key of the reconciler's correction record (shared by every front end). */
export const RECONCILER_WRITER = '~reconciler';

/** What one pass over a bucket found. */
export interface ReconcileResult {
  bucketId: string;
  counted: Usage;
  /** The counters' sum before the pass. */
  summed: Usage;
  /** 'corrected': a new correction was written; 'skipped': writes landed during the scan. */
  outcome: 'exact' | 'corrected' | 'skipped';
}

const USERS_PAGE = 100;

/** Reconciles buckets, one per step. */
export class UsageReconciler {
  private queue: BucketRecord[] = [];
  private userCursor: string | undefined;

  constructor(
    private readonly ring: RingClient,
    private readonly objects: ObjectStore,
    private readonly counters: StorageCounters,
    private readonly options: { scanPageSize: number } = { scanPageSize: 1000 },
  ) {}

  /** Reconciles the next bucket of the cluster (walking users in turn, then wrapping). */
  async step(): Promise<ReconcileResult | undefined> {
    if (this.queue.length === 0) await this.refill();
    const bucket = this.queue.shift();
    return bucket ? this.reconcile(bucket.id) : undefined;
  }

  private async refill(): Promise<void> {
    for (let pages = 0; pages < 2 && this.queue.length === 0; pages++) {
      const users = await listUsers(this.ring, this.userCursor, USERS_PAGE);
      this.userCursor = users.length < USERS_PAGE ? undefined : users.at(-1)!.keyId;
      for (const user of users) this.queue.push(...(await listUserBuckets(this.ring, user.id)));
    }
  }

  /**
   * Counts `bucketId` and corrects its counters (see the module comment for the error); a
   * bucket holding version records has its noncurrent versions' counter corrected too.
   */
  async reconcile(bucketId: string): Promise<ReconcileResult> {
    const result = await this.reconcileKey(bucketId, () => this.count(bucketId));
    if (await this.objects.versions.any(bucketId)) {
      const key = noncurrentCounterKey(bucketId);
      await this.reconcileKey(key, () => this.countNoncurrent(bucketId));
    }
    return result;
  }

  private async reconcileKey(
    bucketId: string,
    count: () => Promise<Usage>,
  ): Promise<ReconcileResult> {
    await this.counters.flush();
    const before = await this.counters.records(bucketId);
    const counted = await count();
    const after = await this.counters.records(bucketId);
    const summed = sumCounters(before.map((r) => r.record));
    const moved = !sameRecords(before, after) || !isZeroUsage(this.counters.unflushed(bucketId));
    if (moved) return { bucketId, counted, summed, outcome: 'skipped' };
    if (sameUsage(summed, counted)) return { bucketId, counted, summed, outcome: 'exact' };
    const others = sumCounters(
      before.filter((r) => r.writerId !== RECONCILER_WRITER).map((r) => r.record),
    );
    const read = await this.ring.getVersioned(KEYSPACES.usageCounters, bucketId, RECONCILER_WRITER);
    const seq = Math.max(0, ...read.values.map((v) => decodeCounter(v).seq));
    const correction = correctionFor(counted, others);
    await this.counters.writeRecord(bucketId, RECONCILER_WRITER, correction, seq, read);
    return { bucketId, counted, summed, outcome: 'corrected' };
  }

  /**
   * Noncurrent versions of a bucket by a scan of its version records: every version but
   * each key's newest (its current one), delete markers apart.
   */
  async countNoncurrent(bucketId: string): Promise<Usage> {
    let total: Usage = ZERO_USAGE;
    let after: Buffer | undefined;
    let lastKey: string | undefined;
    const limit = this.options.scanPageSize;
    for (;;) {
      const page = await this.objects.versions.scan(bucketId, {
        ...(after ? { after } : {}),
        limit,
      });
      for (const { sk, manifest } of page) {
        const key = parseVersionSortKey(sk)?.key;
        const isNewest = key !== lastKey;
        lastKey = key;
        if (!isNewest && !manifest.deleteMarker) {
          total = addUsage(total, { objects: 1, bytes: manifest.size });
        }
      }
      if (page.length < limit) return total;
      after = page.at(-1)!.sk;
    }
  }

  /** Objects and bytes of a bucket by a scan of its manifests, page by page. */
  async count(bucketId: string): Promise<Usage> {
    let total: Usage = ZERO_USAGE;
    let after: Buffer | undefined;
    const limit = this.options.scanPageSize;
    for (;;) {
      const page = await this.objects.scan(bucketId, { ...(after ? { after } : {}), limit });
      for (const m of page) {
        if (!m.deleteMarker) total = addUsage(total, { objects: 1, bytes: m.size });
      }
      if (page.length < limit) return total;
      after = Buffer.from(page.at(-1)!.key, 'utf8');
    }
  }
}

function sameUsage(a: Usage, b: Usage): boolean {
  return isZeroUsage(subtractUsage(a, b));
}

function sameRecords(a: WriterRecord[], b: WriterRecord[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((r, i) => r.writerId === b[i]!.writerId && r.record.seq === b[i]!.record.seq);
}
