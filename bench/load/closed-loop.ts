/**
 * Closed-loop load: `concurrency` workers, each sending its next request as soon as the last
 * one completes, for a fixed time or a fixed count, whichever comes first. It records every
 * request's latency and keeps failures apart, so a failing server cannot look fast.
 */
import { performance } from 'node:perf_hooks';

/** What one operation reports back. */
export interface OpOutcome {
  ok: boolean;
  /** Payload bytes moved (sent or received). */
  bytes: number;
  /** On failure, a short reason such as `503 ServiceUnavailable`. */
  failure?: string;
}

/** One operation; `seq` numbers the operations of a loop from 0. */
export type Operation = (seq: number) => Promise<OpOutcome>;

/** How long and how hard to push. */
export interface LoopSpec {
  concurrency: number;
  durationMs: number;
  /** Hard cap on operations started. */
  opsMax: number;
}

/** What a loop measured. Latencies are of successful operations only. */
export interface LoopResult {
  ok: number;
  errors: number;
  elapsedMs: number;
  bytes: number;
  latenciesMs: number[];
  /** Failure reasons and how often each occurred. */
  failures: Map<string, number>;
}

/** Runs `operation` in a closed loop and resolves when every worker has stopped. */
export async function runClosedLoop(spec: LoopSpec, operation: Operation): Promise<LoopResult> {
  if (!(spec.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
  const result: LoopResult = {
    ok: 0,
    errors: 0,
    elapsedMs: 0,
    bytes: 0,
    latenciesMs: [],
    failures: new Map(),
  };
  const startMs = performance.now();
  const deadlineMs = startMs + spec.durationMs;
  let next = 0;
  const fail = (reason: string) => {
    result.errors++;
    result.failures.set(reason, (result.failures.get(reason) ?? 0) + 1);
  };
  const worker = async () => {
    while (next < spec.opsMax && performance.now() < deadlineMs) {
      const seq = next++;
      const sentMs = performance.now();
      try {
        const outcome = await operation(seq);
        if (outcome.ok) {
          result.ok++;
          result.bytes += outcome.bytes;
          result.latenciesMs.push(performance.now() - sentMs);
        } else {
          fail(outcome.failure ?? 'failed');
        }
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  result.elapsedMs = performance.now() - startMs;
  return result;
}

/** The failures of a loop as `reason x count` strings, most frequent first. */
export function failureSummary(failures: ReadonlyMap<string, number>): string[] {
  return [...failures.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} x${count}`);
}
