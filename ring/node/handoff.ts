/**
 * Ownership handoff, the rebalancer: for every partition this node owns that the ring says
 * is moving, stream its items to the next owner in batches, checkpointing after each so a
 * restart of either side resumes rather than starts over; then tell the claimant, which
 * flips ownership. At most `transferLimit` transfers run at once, at a bounded byte rate.
 * Partitions this node no longer serves are dropped once the new owner has them.
 */
import type { Ring } from '../core/ring.js';
import {
  RecentTransfers,
  TransferProgress,
  type TransferReport,
  type TransferState,
} from '../core/transfer-progress.js';
import { realScheduler, type Scheduler } from '../real-scheduler.js';
import type { Transport } from '../transport/transport.js';
import type { ItemStore } from './item-store.js';
import { PartitionLocks } from './partition-locks.js';

/** Settings of handoff. */
export interface HandoffOptions {
  transferLimit: number;
  bytesPerSecondMax: number;
  batchItemsMax: number;
  batchBytesMax: number;
  timeoutMs: number;
  /** Wait this long after a flip before dropping data, so in-flight reads finish. */
  dropDelayMs: number;
  /** Timers for retries, throttling and drops; real unless a simulation passes its own. */
  scheduler?: Scheduler;
}

/**
 * Progress of one transfer as `/admin/status` has always served it (and older nodes still
 * do); `/admin/transfers` serves the fuller TransferReport.
 */
export interface TransferStatus {
  partition: number;
  from: string;
  to: string;
  itemsSent: number;
  itemsTotal: number;
  bytesSent: number;
  startedAtMs: number;
  state: 'sending' | 'reporting' | 'retrying';
}

/** What handoff needs from the ring manager. */
export interface HandoffRing {
  readonly nodeId: string;
  readonly ring: Ring;
  reportComplete(partition: number, to: string): Promise<void>;
  /** Whether a node answers; without it a failing receiver is reported as retrying. */
  isUp?(nodeId: string): boolean;
}

/** Runs this node's outbound transfers. */
export class HandoffManager {
  private readonly active = new Map<number, TransferProgress>();
  private readonly recent = new RecentTransfers();
  /** Bytes sent by each running transfer since it started here: what throttling counts. */
  private readonly sentHere = new Map<number, number>();
  private readonly dirty = new Set<number>();
  private readonly dropping = new Set<number>();
  private stopped = false;
  /** Told of every batch a transfer sent (items, bytes), for metrics. */
  onBatchSent?: (items: number, bytes: number) => void;

  constructor(
    private readonly store: ItemStore,
    private readonly ringSource: HandoffRing,
    private readonly transport: Transport,
    private readonly options: HandoffOptions,
    private readonly clock: () => number,
    /** Partitions this node must keep although it does not serve them (hints). */
    private readonly keepData: (partition: number) => boolean = () => false,
    /** Shared with writes: a batch and a write-through never interleave. */
    readonly locks = new PartitionLocks(),
  ) {}

  /** Transfers under way. */
  status(): TransferStatus[] {
    return [...this.active.values()].map((t) => ({
      partition: t.partition,
      from: t.from,
      to: t.to,
      itemsSent: t.itemsDone,
      itemsTotal: t.itemsTotal ?? 0,
      bytesSent: t.bytesDone,
      startedAtMs: t.startedAtMs,
      state: legacyState(t.state),
    }));
  }

  /** Transfers under way and those finished in the last minute, for `cairn-admin transfers`. */
  report(): TransferReport[] {
    const nowMs = this.clock();
    return [...this.recent.list(nowMs), ...[...this.active.values()].map((t) => t.report(nowMs))];
  }

  /** Starts what the ring asks for; call after every ring change. */
  schedule(): void {
    if (this.stopped) return;
    const { ring, nodeId } = this.ringSource;
    for (let p = 0; p < ring.partitionCount; p++) {
      const to = ring.nextOwners[p];
      const moving = ring.owners[p] === nodeId && to != null && to !== nodeId;
      if (moving && !this.active.has(p) && this.active.size < this.options.transferLimit) {
        void this.transfer(p, to);
      }
      const serves = ring.owners[p] === nodeId || ring.nextOwners[p] === nodeId;
      if (!serves && !this.dropping.has(p) && !this.keepData(p)) void this.dropLater(p);
    }
  }

  /** A forwarded write failed: the transfer of `partition` must start over. */
  markDirty(partition: number): void {
    this.dirty.add(partition);
  }

  stop(): void {
    this.stopped = true;
  }

  private get timers(): Scheduler {
    return this.options.scheduler ?? realScheduler;
  }

  private sleep(ms: number): Promise<void> {
    return this.timers.sleep(ms, { unref: true, label: 'handoff-wait' });
  }

  private checkpointName(partition: number, to: string): string {
    return `handoff/${partition}/${to}`;
  }

  private async transfer(partition: number, to: string): Promise<void> {
    try {
      await this.transferOnce(partition, to);
    } catch {
      // A local disk error: leave the partition to the next schedule() rather than crash.
    }
  }

  private async transferOnce(partition: number, to: string): Promise<void> {
    const { nodeId } = this.ringSource;
    const progress = new TransferProgress('ownership', partition, nodeId, to, this.clock());
    this.active.set(partition, progress);
    this.sentHere.set(partition, 0);
    try {
      await this.count(progress);
      for (;;) {
        if (this.stopped || !this.stillMoving(partition, to)) return;
        if (this.dirty.delete(partition)) {
          // A forwarded write was lost: only a pass from the start is sure to carry it.
          await this.store.putMeta(this.checkpointName(partition, to), undefined);
          await this.count(progress);
        }
        const sent = await this.sendAll(partition, to, progress);
        if (!sent || this.dirty.has(partition)) continue;
        if (await this.handOver(progress)) return;
      }
    } finally {
      this.active.delete(partition);
      this.sentHere.delete(partition);
      this.timers.setTimeout(() => this.schedule(), 0, { unref: true, label: 'handoff-schedule' });
    }
  }

  /** Counts what the transfer has to send, and what a checkpoint says is already sent. */
  private async count(progress: TransferProgress): Promise<void> {
    progress.state = 'counting';
    const checkpoint = await this.store.getMeta(
      this.checkpointName(progress.partition, progress.to),
    );
    progress.counted(
      await this.store.measurePartition(progress.partition, checkpoint),
      this.clock(),
    );
    progress.state = 'sending';
  }

  /** Asks the claimant to flip ownership; false (after a pause) when it cannot be reached. */
  private async handOver(progress: TransferProgress): Promise<boolean> {
    const { partition, to } = progress;
    progress.state = 'reporting';
    try {
      await this.ringSource.reportComplete(partition, to);
    } catch (error) {
      // The claimant is away: keep the checkpoint, wait, and report again.
      progress.state = 'retrying';
      progress.error = `handing ownership over: ${String(error)}`;
      await this.sleep(1000);
      return false;
    }
    await this.store.putMeta(this.checkpointName(partition, to), undefined);
    progress.finish(this.clock());
    this.recent.add(progress.report(this.clock()));
    return true;
  }

  private stillMoving(partition: number, to: string): boolean {
    const { ring, nodeId } = this.ringSource;
    return ring.owners[partition] === nodeId && ring.nextOwners[partition] === to;
  }

  /** Sends every item after the checkpoint; false when a batch failed (after a pause). */
  private async sendAll(partition: number, to: string, progress: TransferProgress) {
    const name = this.checkpointName(partition, to);
    let after = await this.store.getMeta(name);
    for (;;) {
      if (this.stopped || !this.stillMoving(partition, to)) return false;
      const batch = await this.locks
        .with(partition, async () => {
          const items = await this.store.exportPartition(partition, after, {
            itemsMax: this.options.batchItemsMax,
            bytesMax: this.options.batchBytesMax,
          });
          if (items.length === 0) return items;
          const reply = await this.transport
            .call(
              to,
              { op: 'handoff-batch', partition, items },
              { timeoutMs: this.options.timeoutMs },
            )
            .catch((error: unknown) => ({ ok: false as const, error: String(error) }));
          if (!reply.ok) throw new Error(reply.error);
          return items;
        })
        .catch((error: unknown) => {
          progress.error = String(error);
          return undefined;
        });
      if (batch === undefined) {
        const down = this.ringSource.isUp?.(to) === false;
        progress.state = down ? 'waiting-target' : 'retrying';
        await this.sleep(1000);
        return false;
      }
      if (batch.length === 0) return true;
      progress.state = 'sending';
      progress.error = null;
      after = batch.at(-1)!.key;
      await this.store.putMeta(name, after);
      const bytes = batch.reduce((sum, i) => sum + i.key.length + i.value.length, 0);
      progress.sent(batch.length, bytes, this.clock());
      this.onBatchSent?.(batch.length, bytes);
      await this.throttle(progress, bytes);
    }
  }

  private async throttle(progress: TransferProgress, bytes: number): Promise<void> {
    const sentHere = (this.sentHere.get(progress.partition) ?? 0) + bytes;
    this.sentHere.set(progress.partition, sentHere);
    const elapsedMs = this.clock() - progress.startedAtMs;
    const dueMs = (sentHere / this.options.bytesPerSecondMax) * 1000;
    if (dueMs <= elapsedMs) return;
    progress.state = 'throttled';
    await this.sleep(dueMs - elapsedMs);
    progress.state = 'sending';
  }

  private async dropLater(partition: number): Promise<void> {
    if (!(await this.store.holdsPartition(partition))) return;
    this.dropping.add(partition);
    await this.sleep(this.options.dropDelayMs);
    try {
      const { ring, nodeId } = this.ringSource;
      const serves = ring.owners[partition] === nodeId || ring.nextOwners[partition] === nodeId;
      const keep = serves || this.stopped || this.keepData(partition);
      if (!keep) await this.store.dropPartition(partition);
    } finally {
      this.dropping.delete(partition);
    }
  }
}

/** The three states `/admin/status` has always served. */
function legacyState(state: TransferState): TransferStatus['state'] {
  if (state === 'reporting') return 'reporting';
  const sending: TransferState[] = ['counting', 'sending', 'throttled'];
  return sending.includes(state) ? 'sending' : 'retrying';
}
