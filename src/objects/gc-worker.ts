/**
 * The background garbage collector: every interval it collects the due entries of the GC
 * shards it owns, and every sweep interval it runs the orphan sweeper over the ring
 * partitions it owns. In the embedded store it owns everything; in a cluster each storage
 * node owns the shards and partitions it is primary for, so GC throughput grows with the
 * number of nodes. Passes never overlap; a failed pass is logged and retried next time.
 */
import type { GcMetrics } from '../metrics/gc-metrics.js';
import { allShards, type GcQueue } from './gc-queue.js';
import type { OrphanSweeper, SweepReport } from './orphan-sweeper.js';

/** What a worker owns and how often it works. */
export interface GcWorkerOptions {
  intervalMs: number;
  sweepIntervalMs: number;
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
  lastCollect?: { atMs: number; collected: number };
  lastSweep?: SweepReport;
}

/** A timer-driven collector and sweeper. */
export class GcWorker {
  readonly report: GcWorkerReport = {};
  private timers: NodeJS.Timeout[] = [];
  private collecting = false;
  private sweeping = false;

  constructor(
    private readonly gc: GcQueue,
    private readonly sweeper: OrphanSweeper,
    private readonly options: GcWorkerOptions,
    private readonly clock: () => number,
  ) {}

  /** Starts both timers (unref'd: they never keep the process alive). */
  start(): void {
    const every = (ms: number, pass: () => Promise<unknown>) => {
      const timer = setInterval(() => void pass(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.intervalMs, () => this.collectOnce());
    every(this.options.sweepIntervalMs, () => this.sweepOnce());
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
      let collected = 0;
      for (;;) {
        const batch = await this.gc.collectDue(this.clock(), 1000, shards);
        collected += batch;
        if (batch < 1000) break;
      }
      this.report.lastCollect = { atMs: this.clock(), collected };
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
      this.options.onPass?.(
        `gc: orphan sweep removed ${report.blocksRemoved} of ${report.blocksScanned} blocks ` +
          `in ${report.partitions} partitions`,
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
