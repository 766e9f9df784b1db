/**
 * How much work each phase does, for a quick or a full run. Every loop of the harness is
 * bounded by these counts and durations; nothing runs "until done" without a limit.
 */

/** The sizes, counts and durations of a run. */
export interface BenchPlan {
  /** Length of one measured 4 KiB load point, in ms. */
  pointDurationMs: number;
  /** Rounds per 4 KiB point; the figure is the median of the rounds. */
  rounds: number;
  concurrencies: readonly number[];
  smallObjectBytes: number;
  /** Unrecorded requests each server gets before its first measured point. */
  warmupOps: number;
  largeObjectBytes: number;
  /** Sequential 64 MiB PUTs (then GETs) per server; the figure is the median. */
  largeRounds: number;
  multipartPartBytes: number;
  multipartPartsInFlight: number;
  /** Bucket sizes the LIST bucket is grown to, ascending. */
  listSizes: readonly number[];
  /** Measured 1,000-key pages per bucket size. */
  listPages: number;
  listPageKeys: number;
  populateConcurrency: number;
  /** Upper bound on the time spent growing the LIST bucket, per size step, in ms. */
  populateTimeMaxMs: number;
  diskBytes: number;
  /** Rounds of each disk measurement; the figure is the median. */
  diskRounds: number;
  md5Bytes: number;
  /** Per-request timeout, in ms. */
  requestTimeoutMs: number;
  /** Node counts of the cluster phase's PUT 4 KiB c16 points. */
  clusterNodeCounts: readonly number[];
  /** Objects of `clusterJoinObjectBytes` written before a 5th node joins a 4-node cluster. */
  clusterJoinObjects: number;
  clusterJoinObjectBytes: number;
  /** Upper bound on waiting for ownership to converge after a join, in ms. */
  clusterConvergeMaxMs: number;
  /** Wait after convergence before measuring the old owners' shrinkage (drop delay 10 s). */
  clusterDropWaitMs: number;
}

const MiB = 1024 * 1024;

/** The plan of a run: `quick` keeps the total under 3 minutes. */
export function benchPlan(options: { quick: boolean; list1m: boolean }): BenchPlan {
  const listSizes = options.quick ? [10_000] : [10_000, 100_000];
  if (options.list1m) listSizes.push(1_000_000);
  return {
    pointDurationMs: options.quick ? 3_000 : 4_000,
    rounds: options.quick ? 1 : 5,
    concurrencies: [1, 16, 64],
    smallObjectBytes: 4096,
    warmupOps: options.quick ? 300 : 1000,
    largeObjectBytes: 64 * MiB,
    largeRounds: options.quick ? 3 : 5,
    multipartPartBytes: 8 * MiB,
    multipartPartsInFlight: 4,
    listSizes,
    listPages: options.quick ? 30 : 100,
    listPageKeys: 1000,
    populateConcurrency: 64,
    populateTimeMaxMs: 30 * 60_000,
    diskBytes: (options.quick ? 64 : 256) * MiB,
    diskRounds: 3,
    md5Bytes: (options.quick ? 256 : 512) * MiB,
    requestTimeoutMs: 120_000,
    clusterNodeCounts: [1, 3, 5],
    clusterJoinObjects: options.quick ? 50 : 200,
    clusterJoinObjectBytes: MiB,
    clusterConvergeMaxMs: 120_000,
    clusterDropWaitMs: 12_000,
  };
}
