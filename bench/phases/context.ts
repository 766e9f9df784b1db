/**
 * What every phase shares: the plan, the result book, progress logging, a bounded list of
 * failure samples, per-measurement detail for the JSON, and `withCost`, which reads a
 * server's /proc counters around a measurement so its CPU and disk cost are attributed to
 * exactly that measurement (only one server is loaded at a time).
 */
import { performance } from 'node:perf_hooks';
import type { BenchPlan } from '../core/plan.js';
import type { ResultBook } from '../core/results.js';
import { failureSummary } from '../load/closed-loop.js';
import type { BenchServer } from '../servers/bench-servers.js';
import { tryProcSnapshot } from '../servers/proc-stats.js';

/** One measurement, kept in the JSON for later analysis. */
export interface PointRecord {
  figure: string;
  server: string;
  round: number;
  [field: string]: string | number | null;
}

/** What a measurement cost. Server figures are undefined when /proc cannot be read. */
export interface Cost<T> {
  value: T;
  elapsedMs: number;
  serverCpuS?: number;
  serverWriteBytes?: number;
  /** CPU the harness process itself used (the load generator), in seconds. */
  loadgenCpuS: number;
}

const FAILURE_SAMPLES_MAX = 50;

/** Shared state of the phases of one run. */
export class PhaseContext {
  readonly points: PointRecord[] = [];
  readonly failureSamples: string[] = [];

  constructor(
    readonly plan: BenchPlan,
    readonly book: ResultBook,
    readonly runId: string,
    private readonly logLine: (line: string) => void,
  ) {}

  /** A progress line (stderr). */
  log(line: string): void {
    this.logLine(line);
  }

  /** Keeps a few failure reasons of a measurement for the report. */
  recordFailures(where: string, failures: ReadonlyMap<string, number>): void {
    for (const reason of failureSummary(failures)) {
      if (this.failureSamples.length >= FAILURE_SAMPLES_MAX) return;
      this.failureSamples.push(`${where}: ${reason}`);
    }
  }

  /** Bucket name of this run for `purpose` (unique per run, valid for S3). */
  bucket(purpose: string): string {
    return `bench-${this.runId}-${purpose}`;
  }

  /** Runs `measure`, reading the server's counters before and after it. */
  async withCost<T>(server: BenchServer, measure: () => Promise<T>): Promise<Cost<T>> {
    const before = await tryProcSnapshot(server.pid);
    const cpuBefore = process.cpuUsage();
    const startMs = performance.now();
    const value = await measure();
    const elapsedMs = performance.now() - startMs;
    const cpu = process.cpuUsage(cpuBefore);
    const after = before ? await tryProcSnapshot(server.pid) : undefined;
    const cost: Cost<T> = { value, elapsedMs, loadgenCpuS: (cpu.user + cpu.system) / 1e6 };
    if (before && after) {
      cost.serverCpuS = after.cpuS - before.cpuS;
      cost.serverWriteBytes = after.writeBytes - before.writeBytes;
    }
    return cost;
  }
}
