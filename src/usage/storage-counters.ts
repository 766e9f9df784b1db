/**
 * Per-bucket storage counters without scans. Every manifest commit on this front end adds a
 * delta to an in-memory table (no ring write on the request path); a background flush adds
 * the table into this writer's record in the `usageCounters` keyspace (read, add, write back
 * with the read's context, so a racing write becomes a sibling, never a lost update). A
 * bucket's usage is one range read summed over writers, plus this writer's unflushed deltas.
 * It must never block or fail a request: a failed flush keeps its deltas for the next one.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { CommitObserver } from '../objects/object-store.js';
import type { Manifest } from '../objects/manifest.js';
import {
  addUsage,
  commitDelta,
  decodeCounter,
  encodeCounter,
  isZeroUsage,
  sumCounters,
  ZERO_USAGE,
  type CounterRecord,
  type Usage,
} from './core/storage-delta.js';

/** Writers records of one bucket at most (front-end lifetimes plus the reconciler). */
const WRITERS_MAX = 10_000;

/** What the counters report about their work, for metrics. */
export interface CounterEvents {
  flushed?(buckets: number): void;
  flushFailed?(error: unknown): void;
}

/** One writer's record as read back, with the sort key it lives under. */
export interface WriterRecord {
  writerId: string;
  record: CounterRecord;
}

/** This front end's storage counters. */
export class StorageCounters implements CommitObserver {
  private pending = new Map<string, Usage>();
  /** Deltas a flush is writing: still counted as unflushed until their write is acked. */
  private inFlight = new Map<string, Usage>();
  private flushing: Promise<void> | undefined;
  /** Flushes finished so far: a reader caching stored sums re-reads after one (quotas). */
  flushes = 0;

  constructor(
    private readonly ring: RingClient,
    /** This writer's sort key: unique per front-end process. */
    readonly writerId: string,
    private readonly clock: () => number,
    private readonly events: CounterEvents = {},
  ) {}

  /** Adds the delta of one commit (called by the object layer after each manifest write). */
  onCommit(bucketId: string, before: Manifest | undefined, after: Manifest | undefined): void {
    const delta = commitDelta(before?.size, after?.size);
    if (isZeroUsage(delta)) return;
    this.pending.set(bucketId, addUsage(this.pending.get(bucketId) ?? ZERO_USAGE, delta));
  }

  /**
   * This writer's deltas for `bucketId` not yet acknowledged by the ring (pending, or being
   * flushed). A reader that scans just as a flush is acknowledged may, for that instant,
   * count the flushed delta twice; the next read is exact again.
   */
  unflushed(bucketId: string): Usage {
    const pending = this.pending.get(bucketId) ?? ZERO_USAGE;
    return addUsage(pending, this.inFlight.get(bucketId) ?? ZERO_USAGE);
  }

  /** Flushes every pending delta; concurrent calls share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushAll(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    let flushed = 0;
    for (const [bucketId, delta] of [...batch]) {
      try {
        await this.addToRecord(bucketId, this.writerId, delta);
        flushed++;
      } catch (error) {
        // Keep the delta: the next flush adds it (with whatever arrived meanwhile).
        this.pending.set(bucketId, addUsage(this.pending.get(bucketId) ?? ZERO_USAGE, delta));
        this.events.flushFailed?.(error);
      }
      batch.delete(bucketId);
    }
    this.flushes++;
    if (flushed > 0) this.events.flushed?.(flushed);
  }

  /** Adds `delta` to the record (bucketId, writerId) with a read-modify-write. */
  async addToRecord(bucketId: string, writerId: string, delta: Usage): Promise<void> {
    const read = await this.ring.getVersioned(KEYSPACES.usageCounters, bucketId, writerId);
    const records = read.values.map(decodeCounter);
    const current = records.reduce((a, b) => (b.seq > a.seq ? b : a), {
      ...ZERO_USAGE,
      seq: 0,
      updatedMs: 0,
    });
    await this.writeRecord(bucketId, writerId, addUsage(current, delta), current.seq, read);
  }

  /** Replaces the record (bucketId, writerId) with `totals`, over the versions `read` saw. */
  async writeRecord(
    bucketId: string,
    writerId: string,
    totals: Usage,
    seq: number,
    read: { context: Parameters<RingClient['putVersioned']>[4] },
  ): Promise<void> {
    const record: CounterRecord = { ...totals, seq: seq + 1, updatedMs: this.clock() };
    const value = encodeCounter(record);
    await this.ring.putVersioned(KEYSPACES.usageCounters, bucketId, writerId, value, read.context);
  }

  /** Every writer's record of `bucketId`, as stored (this writer's pending deltas apart). */
  async records(bucketId: string): Promise<WriterRecord[]> {
    const items = await this.ring.scan(KEYSPACES.usageCounters, bucketId, {
      limit: WRITERS_MAX,
    });
    return items.map((item) => ({
      writerId: item.sk.toString('utf8'),
      record: decodeCounter(item.value),
    }));
  }

  /** A bucket's usage: the stored sum over writers plus this writer's unflushed deltas. */
  async bucketUsage(bucketId: string): Promise<Usage> {
    const stored = sumCounters((await this.records(bucketId)).map((r) => r.record));
    return addUsage(stored, this.unflushed(bucketId));
  }
}
