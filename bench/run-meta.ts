/**
 * The context saved with a run's figures: when, on what machine, at which commit, with which
 * plan, and every individual measurement, so two JSON files can be compared knowingly.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchOptions } from './core/options.js';
import type { PhaseContext } from './phases/context.js';

function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

/** The `meta` object of the JSON document. */
export async function runMeta(
  options: BenchOptions,
  ctx: PhaseContext,
  elapsedMs: number,
  loadAtStart: number[],
) {
  return {
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    quick: options.quick,
    peer: options.peer ?? null,
    endpoint: options.endpoint?.url ?? null,
    durationS: Math.round(elapsedMs / 1000),
    /** 1-minute load average at start and end: other work on this shared machine. */
    loadAverage: { start: loadAtStart[0], end: loadavg()[0] },
    plan: ctx.plan,
    points: ctx.points,
  };
}
