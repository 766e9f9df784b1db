/**
 * Peak resident memory of each server over the whole run (VmHWM), read once at the end.
 * The no-op server's peak is the baseline of a bare Node HTTP process, shown as its ceiling.
 */
import type { BenchServer } from '../servers/bench-servers.js';
import { tryProcSnapshot } from '../servers/proc-stats.js';
import type { PhaseContext } from './context.js';

const FIGURE = { name: 'peak-rss-MiB', unit: 'MiB', better: 'lower' } as const;

/** Records `peak-rss-MiB` for every server whose /proc can be read. */
export async function recordPeakRss(ctx: PhaseContext, servers: BenchServer[]): Promise<void> {
  for (const server of servers) {
    const snapshot = await tryProcSnapshot(server.pid);
    if (snapshot) ctx.book.record(FIGURE, server.role, snapshot.hwmKb / 1024);
  }
  if (servers.some((s) => s.role === 'ceiling')) ctx.book.note(FIGURE, 'ceiling = no-op baseline');
}

/** Logs each server's peak RSS so far, so a jump can be tied to the phase that caused it. */
export async function logPeakRss(ctx: PhaseContext, servers: BenchServer[]): Promise<void> {
  const parts: string[] = [];
  for (const server of servers) {
    const snapshot = await tryProcSnapshot(server.pid);
    if (snapshot) parts.push(`${server.label} ${(snapshot.hwmKb / 1024).toFixed(0)} MiB`);
  }
  if (parts.length > 0) ctx.log(`peak RSS so far: ${parts.join(', ')}`);
}
