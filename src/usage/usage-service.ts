/**
 * Runs usage accounting in the background of a front end: counter flushes, the reconciler
 * (one bucket per tick), storage samples and access archives, each on its own unref'd
 * timer that never overlaps itself, all cleared on close — after a last flush and archive,
 * so a clean shutdown loses nothing.
 */
import type { RingClient } from '../../ring/client.js';
import type { ObjectStore } from '../objects/object-store.js';
import { AccessLog } from './access-log.js';
import { UsageReconciler, type ReconcileResult } from './reconciler.js';
import { StorageUsage } from './storage-archive.js';
import { StorageBatch } from './storage-batch.js';
import { StorageCounters } from './storage-counters.js';

/** Intervals of the background work, in ms; 0 turns a duty off. */
export interface UsageIntervals {
  flushMs: number;
  /** Time between two buckets' reconciliations. */
  reconcileMs: number;
  storageArchiveMs: number;
  accessArchiveMs: number;
}

/**
 * Defaults: flush every 5 s, one bucket reconciled every 5 minutes (a reconcile scans the
 * bucket: more often, it competes with requests for LevelDB), hourly storage samples.
 */
export const DEFAULT_USAGE_INTERVALS: UsageIntervals = {
  flushMs: 5_000,
  reconcileMs: 300_000,
  storageArchiveMs: 3_600_000,
  accessArchiveMs: 60_000,
};

/** Where the service reports. */
export interface UsageEvents {
  reconciled?(result: ReconcileResult): void;
}

/** The usage accounting of one front end. */
export class UsageService {
  readonly access: AccessLog;
  readonly storage: StorageUsage;
  private reconciler: UsageReconciler | undefined;
  private storageBatch: StorageBatch | undefined;
  private storageTimes: { startedMs?: number; lastMs?: number } = {};
  private readonly timers: NodeJS.Timeout[] = [];
  private onFailure: (duty: string, error: unknown) => void = () => undefined;

  constructor(
    private readonly ring: RingClient,
    readonly counters: StorageCounters,
    readonly nodeId: string,
    readonly intervals: UsageIntervals,
    private readonly clock: () => number,
    private readonly events: UsageEvents = {},
  ) {
    this.access = new AccessLog(ring, nodeId, clock);
    this.storage = new StorageUsage(ring, counters, clock);
  }

  /** The reconciler over `objects` (the object store is built after the counters). */
  reconcilerFor(objects: ObjectStore): UsageReconciler {
    this.reconciler ??= new UsageReconciler(this.ring, objects, this.counters);
    const slotMs = this.intervals.storageArchiveMs || DEFAULT_USAGE_INTERVALS.storageArchiveMs;
    this.storageBatch ??= new StorageBatch(
      this.ring,
      this.storage,
      this.reconciler,
      { slotMs },
      this.clock,
    );
    return this.reconciler;
  }

  /** The operator's storage batch (once the reconciler exists). */
  get batch(): StorageBatch | undefined {
    return this.storageBatch;
  }

  /** When storage samples were last taken and are next due (none when sampling is off). */
  get storageSchedule(): { periodMs: number; lastMs?: number; nextMs?: number } {
    const periodMs = this.intervals.storageArchiveMs;
    const { startedMs, lastMs } = this.storageTimes;
    const from = lastMs ?? startedMs;
    return {
      periodMs,
      ...(lastMs !== undefined ? { lastMs } : {}),
      ...(periodMs > 0 && from !== undefined ? { nextMs: from + periodMs } : {}),
    };
  }

  /** Starts the timers; `onFailure` hears of every failed pass (they are retried). */
  start(onFailure: (duty: string, error: unknown) => void): void {
    this.onFailure = onFailure;
    const { flushMs, reconcileMs, storageArchiveMs, accessArchiveMs } = this.intervals;
    this.every('flush', flushMs, () => this.counters.flush());
    this.every('access archive', accessArchiveMs, () => this.access.archive());
    this.storageTimes.startedMs = this.clock();
    this.every('storage archive', storageArchiveMs, () => {
      this.storageTimes.lastMs = this.clock();
      return this.storage.archiveAll(storageArchiveMs);
    });
    this.every('reconcile', reconcileMs, async () => {
      const result = await this.reconciler?.step();
      if (result) this.events.reconciled?.(result);
    });
  }

  private every(duty: string, ms: number, run: () => Promise<unknown>): void {
    if (ms <= 0) return;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      run()
        .catch((error: unknown) => this.onFailure(duty, error))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Stops the timers, then flushes counters and archives access once more. */
  async close(): Promise<void> {
    this.storageBatch?.cancel();
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    await this.counters.flush().catch((error: unknown) => this.onFailure('flush', error));
    await this.access.archive().catch((error: unknown) => this.onFailure('archive', error));
  }
}
