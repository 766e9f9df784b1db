/**
 * Latencies and errors of the workload per operation, in windows: each sample takes what
 * was recorded since the previous one, so memory stays bounded by one window. Pure.
 */
import { summarizeLatencies } from '../core/stats.js';

/** The operations of the mixed workload. */
export const SOAK_OPS = ['put-small', 'put-large', 'multipart', 'get', 'delete', 'list'] as const;
/** One operation of the mixed workload. */
export type SoakOp = (typeof SOAK_OPS)[number];

/** One operation's figures over one window. */
export interface OpWindow {
  op: SoakOp;
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Records outcomes and hands them out window by window. */
export class LatencyWindows {
  private latencies = new Map<SoakOp, number[]>();
  private errors = new Map<SoakOp, number>();
  private readonly errorKinds = new Map<string, number>();
  private totalOps = 0;
  private totalErrors = 0;

  /** A request that succeeded after `ms`. */
  ok(op: SoakOp, ms: number): void {
    const list = this.latencies.get(op) ?? [];
    list.push(ms);
    this.latencies.set(op, list);
    this.totalOps++;
  }

  /** A request that failed with `kind` (an error name or status, never a body). */
  failed(op: SoakOp, kind: string): void {
    this.errors.set(op, (this.errors.get(op) ?? 0) + 1);
    const label = `${op}: ${kind.slice(0, 80)}`;
    this.errorKinds.set(label, (this.errorKinds.get(label) ?? 0) + 1);
    this.totalOps++;
    this.totalErrors++;
  }

  /** Everything since the last call, one entry per operation; starts a new window. */
  take(): OpWindow[] {
    const windows = SOAK_OPS.map((op) => {
      const summary = summarizeLatencies(this.latencies.get(op) ?? []);
      return {
        op,
        count: summary.count,
        errors: this.errors.get(op) ?? 0,
        p50Ms: summary.p50Ms,
        p99Ms: summary.p99Ms,
      };
    });
    this.latencies = new Map();
    this.errors = new Map();
    return windows;
  }

  /** Requests and failures since the start, and failures by kind. */
  totals(): { ops: number; errors: number; errorKinds: Record<string, number> } {
    return {
      ops: this.totalOps,
      errors: this.totalErrors,
      errorKinds: Object.fromEntries(this.errorKinds),
    };
  }
}
