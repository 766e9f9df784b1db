/**
 * Reads what a server process has cost so far from /proc: CPU seconds (all its threads,
 * LevelDB's and libuv's included), disk bytes written and peak resident memory. Deltas of
 * two snapshots cost one phase. Linux only; elsewhere the harness reports these as missing.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseIoField, parseStatCpuTicks, parseStatusKb } from '../core/proc-parse.js';

/** Cumulative counters of one process at one moment. */
export interface ProcSnapshot {
  /** User + system CPU time, in seconds. */
  cpuS: number;
  /** Bytes the process caused to be written to storage (`write_bytes`). */
  writeBytes: number;
  /** Peak resident set (`VmHWM`), in KiB. */
  hwmKb: number;
}

/** Kernel clock ticks per second (`CLK_TCK`), a constant of the machine. */
const TICKS_PER_S = readTicksPerS();

function readTicksPerS(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Reads the counters of `pid`. */
export async function readProcSnapshot(pid: number): Promise<ProcSnapshot> {
  const [stat, io, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/io`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  return {
    cpuS: parseStatCpuTicks(stat) / TICKS_PER_S,
    writeBytes: parseIoField(io, 'write_bytes'),
    hwmKb: parseStatusKb(status, 'VmHWM'),
  };
}

/** Like `readProcSnapshot`, but undefined when there is no PID or /proc cannot be read. */
export async function tryProcSnapshot(pid: number | undefined): Promise<ProcSnapshot | undefined> {
  if (pid === undefined) return undefined;
  return readProcSnapshot(pid).catch(() => undefined);
}
