/**
 * `cairn-admin lifecycle status|run`: the lifecycle workers' progress, and a pass now
 * (`run --wait` waits until every worker has finished a pass begun after the request).
 */
import type { Command } from 'commander';
import type { LifecycleProgress, PassCounts } from '../objects/lifecycle/progress.js';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';

interface StatusJson {
  workers: LifecycleProgress[];
  runRequestedMs: number;
  dayMs?: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const iso = (ms: number) => new Date(ms).toISOString();

/** The text `lifecycle status` prints. */
export function lifecycleStatusText(status: StatusJson): string {
  const lines: string[] = [];
  if (status.dayMs !== undefined) lines.push(`A lifecycle day: ${status.dayMs / 1000} s`);
  if (status.runRequestedMs > 0) lines.push(`Pass last requested: ${iso(status.runRequestedMs)}`);
  if (status.workers.length === 0) lines.push('No lifecycle worker has reported yet.');
  for (const worker of status.workers) {
    lines.push(`Worker ${worker.workerId}:`);
    const current = worker.current;
    if (current) {
      const at = current.cursor
        ? `at bucket ${current.cursor.bucket}, ${current.cursor.phase}`
        : 'starting';
      lines.push(
        `  pass under way since ${iso(current.startedMs)}, ${at}; ${counts(current.counts)}`,
      );
    }
    const last = worker.lastPass;
    if (last) {
      lines.push(
        `  last pass ${iso(last.startedMs)} – ${iso(last.finishedMs)}; ${counts(last.counts)}`,
      );
    } else if (!current) lines.push('  no pass yet');
  }
  return lines.join('\n') + '\n';
}

function counts(c: PassCounts): string {
  return (
    `${c.buckets} buckets, ${c.scanned} records scanned, ${c.expired} expired, ` +
    `${c.aborted} uploads aborted, ${c.skipped} skipped`
  );
}

/** Adds the `lifecycle` command group. */
export function registerLifecycleCommands(program: Command): void {
  const group = program.command('lifecycle').description('bucket lifecycle: status and passes');
  const call = async (method: string) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, method, '/riak-cs/lifecycle');
    if (answer.status !== 200) {
      throw new Error(`the store refused (HTTP ${answer.status}): ${answer.text.slice(0, 200)}`);
    }
    return JSON.parse(answer.text) as Record<string, unknown>;
  };
  group
    .command('status')
    .description("every lifecycle worker's pass under way and last pass")
    .option('--json', 'print the JSON answer')
    .action(async (opts: { json?: boolean }) => {
      const status = await call('GET');
      if (opts.json) return say(JSON.stringify(status));
      process.stdout.write(lifecycleStatusText(status as unknown as StatusJson));
    });
  group
    .command('run')
    .description('asks every lifecycle worker for a pass now')
    .option('--wait <seconds>', 'wait up to this long for every worker to finish one')
    .action(async (opts: { wait?: string }) => {
      const requested = (await call('POST'))['runRequestedMs'] as number;
      say(`Lifecycle pass requested at ${iso(requested)}.`);
      if (opts.wait === undefined) return;
      const deadlineMs = Date.now() + Number(opts.wait) * 1000;
      while (Date.now() < deadlineMs) {
        const status = (await call('GET')) as unknown as StatusJson;
        const done = status.workers.every((w) => (w.lastPass?.startedMs ?? 0) >= requested);
        if (status.workers.length > 0 && done) return say('Every worker has finished a pass.');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      say('Not every worker has finished a pass yet (see lifecycle status).');
      process.exitCode = 1;
    });
}
