/**
 * The background garbage collector: every interval it collects the due entries of the GC
 * shards it owns, and every sweep interval it runs the orphan sweeper over the ring
 * partitions it owns. In the embedded store it owns everything; in a cluster each storage
 * node owns the shards and partitions it is primary for, so GC throughput grows with the
 * number of nodes. Passes never overlap; a failed pass is logged and retried next time.
 */
import type { GcMetrics } from './gc-metrics.js';
import { allShards, type GcQueue } from './gc-queue.js';
import type { OrphanSweeper, SweepReport } from './orphan-sweeper.js';

/** What a worker owns and how often it works. */
export interface GcWorkerOptions {
  /** Time between collections, in ms (a function: the operator may change it; Infinity: none). */
  intervalMs: number | (() => number);
  sweepIntervalMs: number | (() => number);
  /** Whether the operator paused GC: no pass starts, and one under way stops. */
  paused?: () => boolean;
  /** How often the worker looks at the clock, in ms (default 1000). */
  tickMs?: number;
  /** Told after every collection (a node leaves it on the ring for `gc status`). */
  onCollect?: (report: GcWorkerReport) => void;
  /** Whether this worker collects GC shard `shard`. */
  ownsShard: (shard: number) => boolean;
  /** Ring partitions this worker sweeps (undefined: all). */
  partitions: () => number[] | undefined;
  log: (message: string, error?: unknown) => void;
  /** Told of every pass that did something (a node prints it). */
  onPass?: (line: string) => void;
  /** Where the backlog and the collected count are reported (the front end's metrics). */
  metrics?: GcMetrics;
}

/** The last passes, for `cairn-admin gc status`. */
export interface GcWorkerReport {
  lastCollect?: { atMs: number; startedAtMs: number; collected: number };
  lastSweep?: SweepReport;
  /** When the next collection is due (absent: none, paused or interval infinity). */
  nextCollectMs?: number;
}

function valueOf(option: number | (() => number)): number {
  return typeof option === 'number' ? option : option();
}

/** A clock-driven collector and sweeper. */
export class GcWorker {
  readonly report: GcWorkerReport = {};
  private timers: NodeJS.Timeout[] = [];
  private collecting = false;
  private sweeping = false;
  private lastCollectStartMs = 0;
  private lastSweepStartMs = 0;

  constructor(
    private readonly gc: GcQueue,
    private readonly sweeper: OrphanSweeper,
    private readonly options: GcWorkerOptions,
    private readonly clock: () => number,
  ) {}

  /** Starts the clock tick (unref'd: it never keeps the process alive). */
  start(): void {
    this.lastCollectStartMs = this.lastSweepStartMs = this.clock();
    const timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    timer.unref();
    this.timers.push(timer);
  }

  /** Starts whichever pass is due, unless paused; a pass never overlaps itself. */
  private tick(): void {
    const now = this.clock();
    const interval = valueOf(this.options.intervalMs);
    if (this.isPaused()) return void (this.report.nextCollectMs = undefined);
    this.report.nextCollectMs = Number.isFinite(interval)
      ? this.lastCollectStartMs + interval
      : undefined;
    if (now - this.lastCollectStartMs >= interval && !this.collecting) {
      this.lastCollectStartMs = now;
      this.report.nextCollectMs = now + interval;
      void this.collectOnce();
    }
    if (now - this.lastSweepStartMs >= valueOf(this.options.sweepIntervalMs) && !this.sweeping) {
      this.lastSweepStartMs = now;
      void this.sweepOnce();
    }
  }

  private isPaused(): boolean {
    return this.options.paused?.() === true;
  }

  /** Stops the timers (a pass in progress finishes on its own). */
  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  /** Collects every due entry of the owned shards now; returns how many. */
  async collectOnce(): Promise<number> {
    if (this.collecting) return 0;
    this.collecting = true;
    try {
      const shards = allShards().filter(this.options.ownsShard);
      const startedAtMs = this.clock();
      let collected = 0;
      while (!this.isPaused()) {
        const batch = await this.gc.collectDue(this.clock(), 1000, shards);
        collected += batch;
        if (batch < 1000) break;
      }
      this.report.lastCollect = { atMs: this.clock(), startedAtMs, collected };
      this.options.onCollect?.(this.report);
      if (this.options.metrics) {
        // A walk of this worker's own shards: each node reports its share of the backlog.
        const backlog = await this.gc.status(this.clock(), shards);
        this.options.metrics.setBacklog(backlog.due, backlog.pending);
        this.options.metrics.countCollected(collected);
      }
      if (collected > 0) {
        this.options.onPass?.(`gc: collected ${collected} entries of ${shards.length} shards`);
      }
      return collected;
    } catch (error) {
      this.options.log('gc collect failed', error);
      return 0;
    } finally {
      this.collecting = false;
    }
  }

  /** Runs the orphan sweeper over the owned partitions now. */
  async sweepOnce(): Promise<SweepReport | undefined> {
    if (this.sweeping) return undefined;
    this.sweeping = true;
    try {
      const report = await this.sweeper.run(this.options.partitions());
      this.report.lastSweep = report;
      this.options.metrics?.countMarked?.(report.bucketsMarked);
      this.options.onPass?.(
        `gc: orphan sweep removed ${report.blocksRemoved} of ${report.blocksScanned} blocks ` +
          `in ${report.partitions} partitions; marked ${report.bucketsMarked} buckets` +
          (report.markComplete ? '' : ' (marks do not cover the ring yet: nothing swept)'),
      );
      return report;
    } catch (error) {
      this.options.log('orphan sweep failed', error);
      return undefined;
    } finally {
      this.sweeping = false;
    }
  }
}
