/**
 * `cairn-admin gc status|run`: the GC backlog and a pass on demand, through the admin API
 * of the store (admin-signed, like the user commands).
 */
import type { Command } from 'commander';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';

interface SweepJson {
  liveVersions: number;
  blocksScanned: number;
  blocksRemoved: number;
  partitions: number;
  startedAtMs: number;
  finishedAtMs: number;
}

/** Adds the `gc` command group. */
export function registerGcCommands(program: Command): void {
  const gc = program.command('gc').description('garbage collection');
  const call = async (method: string, path: string) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, method, path);
    if (answer.status !== 200) {
      throw new Error(`the store refused (HTTP ${answer.status}): ${answer.text.slice(0, 200)}`);
    }
    return JSON.parse(answer.text) as Record<string, unknown>;
  };
  gc.command('status')
    .description('entries due and pending in the GC queue, and the last passes')
    .option('--json', 'print the JSON answer')
    .action(async (opts: { json?: boolean }) => {
      const status = await call('GET', '/riak-cs/gc');
      if (opts.json) return void process.stdout.write(JSON.stringify(status) + '\n');
      process.stdout.write(statusText(status));
    });
  gc.command('run')
    .description('collect every due entry now, then sweep for orphan blocks')
    .option('--no-sweep', 'collect due entries only')
    .action(async (opts: { sweep: boolean }) => {
      process.stdout.write('Collecting due entries' + (opts.sweep ? ' and sweeping…\n' : '…\n'));
      const result = await call('POST', `/riak-cs/gc${opts.sweep ? '' : '?sweep=false'}`);
      process.stdout.write(`Collected ${String(result['collected'])} due entries.\n`);
      const sweep = result['sweep'] as SweepJson | undefined;
      if (sweep) process.stdout.write(sweepText(sweep));
    });
}

function statusText(status: Record<string, unknown>): string {
  const oldest = status['oldestDueMs'] as number | undefined;
  const lines = [
    `Due entries:     ${String(status['due'])} (${String(status['blockSetsDue'])} block sets)`,
    `Pending entries: ${String(status['pending'])} (within the leeway)`,
    `Leeway:          ${String(status['leewaySeconds'])} s`,
    `Oldest due:      ${oldest ? new Date(oldest).toISOString() : '-'}`,
  ];
  const collect = status['lastCollect'] as { atMs: number; collected: number } | undefined;
  if (collect) {
    lines.push(`Last collection: ${new Date(collect.atMs).toISOString()}, ${collect.collected}`);
  }
  const sweep = status['lastSweep'] as SweepJson | undefined;
  return lines.join('\n') + '\n' + (sweep ? sweepText(sweep) : '');
}

function sweepText(sweep: SweepJson): string {
  const seconds = ((sweep.finishedAtMs - sweep.startedAtMs) / 1000).toFixed(1);
  return (
    `Orphan sweep: ${sweep.blocksRemoved} of ${sweep.blocksScanned} blocks removed ` +
    `in ${sweep.partitions} partitions (${sweep.liveVersions} live versions, ${seconds} s)\n`
  );
}
