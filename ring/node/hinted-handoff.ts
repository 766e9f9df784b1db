/**
 * Hinted handoff: while a primary is down, a fallback stores its writes (hints) under the
 * primary's partition. When the primary answers again, the fallback sends every hint of
 * that partition back (merged, never overwriting) and then drops them, under the
 * partition's lock, and only if no new hint arrived meanwhile. Marks are persisted, so a
 * restart of the fallback neither loses nor forgets its hints. What it holds and returns is
 * reported (`report()`, for `cairn-admin transfers`) with counts taken before sending.
 */
import type { Ring } from '../core/ring.js';
import {
  notStartedReport,
  RecentTransfers,
  TransferProgress,
  type PartitionMeasure,
  type TransferReport,
} from '../core/transfer-progress.js';
import type { Transport } from '../transport/transport.js';
import type { ItemStore } from './item-store.js';
import type { PartitionLocks } from './partition-locks.js';

/** How old a count of held hints a report may show while hints keep arriving. */
const REPORT_COUNT_AGE_MS = 10_000;

/** What hinted handoff needs to know about the cluster. */
export interface HintRing {
  readonly nodeId: string;
  readonly ring: Ring;
  isUp(nodeId: string): boolean;
}

/** Settings of hinted handoff. */
export interface HintOptions {
  batchItemsMax: number;
  batchBytesMax: number;
  timeoutMs: number;
}

/** The hints this node holds for other nodes' partitions, and their return. */
export class HintedHandoff {
  private readonly hinted = new Set<number>();
  private readonly writes = new Map<number, number>();
  private readonly returning = new Set<number>();
  private readonly progress = new Map<number, TransferProgress>();
  private readonly recent = new RecentTransfers();
  /** Why the last return of a partition failed, until one succeeds. */
  private readonly errors = new Map<number, string>();
  /** Counts of held hints, valid while the partition's hint writes stay at `writes`. */
  private readonly measures = new Map<
    number,
    { writes: number; atMs: number; measure: PartitionMeasure }
  >();
  private readonly measuring = new Map<number, Promise<PartitionMeasure>>();
  /** Told of every batch of hints a primary accepted back (items), for metrics. */
  onDelivered?: (items: number) => void;

  constructor(
    private readonly store: ItemStore,
    private readonly ringSource: HintRing,
    private readonly transport: Transport,
    private readonly locks: PartitionLocks,
    private readonly options: HintOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Loads the marks persisted by markHinted. */
  async load(): Promise<void> {
    for (let p = 0; p < this.ringSource.ring.partitionCount; p++) {
      if (await this.store.getMeta(`hinted/${p}`)) this.hinted.add(p);
    }
  }

  /** Whether this node holds hints for `partition` (its data must not be dropped). */
  isHinted(partition: number): boolean {
    return this.hinted.has(partition);
  }

  /** Records a hint write; call under the partition's lock. */
  async markHinted(partition: number): Promise<void> {
    this.writes.set(partition, (this.writes.get(partition) ?? 0) + 1);
    if (this.hinted.has(partition)) return;
    this.hinted.add(partition);
    await this.store.putMeta(`hinted/${partition}`, Buffer.from('1'));
  }

  /** Hands back the hints of every partition whose primary is up again. */
  async tick(): Promise<void> {
    const { ring, nodeId } = this.ringSource;
    for (const p of this.hinted) {
      const owner = ring.owners[p]!;
      const serves = owner === nodeId || ring.nextOwners[p] === nodeId;
      if (serves || this.returning.has(p) || !this.ringSource.isUp(owner)) continue;
      this.returning.add(p);
      void this.handBack(p, owner).finally(() => this.returning.delete(p));
    }
  }

  /**
   * The hints held (waiting for their primary, or about to go back), those being returned,
   * and those returned in the last minute. Held hints are counted once per change.
   */
  async report(): Promise<TransferReport[]> {
    const nowMs = this.clock();
    const { ring, nodeId } = this.ringSource;
    const out = this.recent.list(nowMs);
    for (const p of [...this.hinted]) {
      const running = this.progress.get(p);
      if (running) {
        out.push(running.report(nowMs));
        continue;
      }
      const owner = ring.owners[p]!;
      if (owner === nodeId || ring.nextOwners[p] === nodeId) continue;
      const state = this.ringSource.isUp(owner) ? 'pending' : 'waiting-target';
      const where = { partition: p, from: nodeId, to: owner };
      const measure = await this.measured(p, REPORT_COUNT_AGE_MS);
      out.push(notStartedReport('hinted', where, state, measure, this.errors.get(p) ?? null));
    }
    return out;
  }

  /**
   * The count of a partition's hints: exact when no hint arrived since the last count, else
   * counted again, unless the last count is younger than `maxAgeMs` (a count walks every key,
   * so reports refreshed while hints keep arriving reuse a recent one). Callers asking at
   * the same time share one count.
   */
  private async measured(partition: number, maxAgeMs = 0): Promise<PartitionMeasure> {
    const cached = this.measures.get(partition);
    const fresh = cached && this.clock() - cached.atMs < maxAgeMs;
    if (cached && (cached.writes === (this.writes.get(partition) ?? 0) || fresh)) {
      return cached.measure;
    }
    let running = this.measuring.get(partition);
    if (!running) {
      const writes = this.writes.get(partition) ?? 0;
      const counted = this.store.measurePartition(partition).then((measure) => {
        this.measures.set(partition, { writes, atMs: this.clock(), measure });
        return measure;
      });
      running = counted.finally(() => this.measuring.delete(partition));
      this.measuring.set(partition, running);
    }
    return running;
  }

  private async handBack(partition: number, owner: string): Promise<void> {
    const progress = new TransferProgress(
      'hinted',
      partition,
      this.ringSource.nodeId,
      owner,
      this.clock(),
    );
    this.progress.set(partition, progress);
    try {
      await this.handBackWith(progress);
    } finally {
      this.progress.delete(partition);
    }
  }

  private async handBackWith(progress: TransferProgress): Promise<void> {
    const { partition, to: owner } = progress;
    const before = this.writes.get(partition) ?? 0;
    progress.counted(await this.measured(partition), this.clock());
    progress.state = 'sending';
    let after: Buffer | undefined;
    for (;;) {
      const items = await this.store.exportPartition(partition, after, {
        itemsMax: this.options.batchItemsMax,
        bytesMax: this.options.batchBytesMax,
      });
      if (items.length === 0) break;
      const reply = await this.transport
        .call(owner, { op: 'handoff-batch', partition, items }, this.options)
        .catch(() => ({ ok: false as const, error: 'unreachable' }));
      if (!reply.ok) {
        this.errors.set(partition, `returning hints to ${owner} failed: ${reply.error}`);
        return;
      }
      this.onDelivered?.(items.length);
      const bytes = items.reduce((sum, i) => sum + i.key.length + i.value.length, 0);
      progress.sent(items.length, bytes, this.clock());
      after = items.at(-1)!.key;
    }
    this.errors.delete(partition);
    progress.state = 'dropping';
    await this.locks.with(partition, async () => {
      if ((this.writes.get(partition) ?? 0) !== before) return;
      await this.store.dropPartition(partition);
      await this.store.putMeta(`hinted/${partition}`, undefined);
      // In one turn: a report never sees the partition neither held nor returned.
      this.hinted.delete(partition);
      this.measures.delete(partition);
      progress.finish(this.clock());
      this.recent.add(progress.report(this.clock()));
    });
  }
}
