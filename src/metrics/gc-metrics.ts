/**
 * What the garbage collector reports to the front end's metrics. An interface, so that the
 * GC worker depends on it and not on prom-client: it calls these after each pass.
 */

/** The GC worker's metrics sink. */
export interface GcMetrics {
  /** The queue's backlog: entries past their leeway (`due`) and still waiting (`pending`). */
  setBacklog(due: number, pending: number): void;
  /** Blocks (or entries) collected by one pass. */
  countCollected(n: number): void;
}
