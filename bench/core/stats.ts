/**
 * The arithmetic of a benchmark: percentiles, medians and rates over recorded samples. It is
 * pure, so the figures the harness prints can be checked by unit tests; it never reads the
 * clock or touches the network.
 */

/**
 * The p-th percentile of ascending `sorted` values, by nearest rank (the smallest value
 * with at least p% of the samples at or below it). NaN for no samples.
 *
 * @param sorted - samples in ascending order.
 * @param p - percentile, 0..100.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0..100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[rank - 1]!;
}

/** The median of `values` (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Latency percentiles of one run, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Summarises per-request latencies (milliseconds, any order; the input is not modified). */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

/** Operations per second; NaN when no time passed. */
export function ratePerS(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : Number.NaN;
}

/** Throughput in MB/s (10^6 bytes per second); NaN when no time passed. */
export function megabytesPerS(bytes: number, elapsedMs: number): number {
  return elapsedMs > 0 ? bytes / 1e6 / (elapsedMs / 1000) : Number.NaN;
}

/** `a / b`, or NaN when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) {
    return Number.NaN;
  }
  return a / b;
}
