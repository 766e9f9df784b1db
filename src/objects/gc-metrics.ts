/**
 * What the garbage collector reports to a process's metrics. An interface owned by the GC
 * side, so that the worker depends on it and not on prom-client or src/metrics/;
 * metrics/gc-metrics.ts holds PromGcMetrics, the one implementation.
 */

/** The GC worker's metrics sink. */
export interface GcMetrics {
  /** The queue's backlog: entries past their leeway (`due`) and still waiting (`pending`). */
  setBacklog(due: number, pending: number): void;
  /** Blocks (or entries) collected by one pass. */
  countCollected(n: number): void;
  /** Buckets one orphan-sweeper mark walked: this process's share of the mark. */
  countMarked?(buckets: number): void;
}
