/**
 * `cairn-admin gc …`: riak-cs-admin gc's commands, with its messages, through the admin API
 * (admin-signed): status, batch [leeway] [--leeway|--start|--end], cancel, pause, resume,
 * set-interval, set-leeway, earliest-keys — and Cairn's `run` (collect and sweep now, and
 * wait). Pause, resume and the settings act on every collector of the cluster.
 */
import type { Command } from 'commander';
import { durationType } from '../config/core/types.js';
import { ValueError } from '../config/core/values.js';
import { formatIsoBasic, parseIsoBasic } from '../usage/core/iso8601.js';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import { refusalText } from './endpoint-errors.js';
import { gcStatusText, type GcStatusJson } from './render-gc.js';

interface SweepJson {
  liveVersions: number;
  blocksScanned: number;
  blocksRemoved: number;
  partitions: number;
  startedAtMs: number;
  finishedAtMs: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const fail = (line: string) => {
  say(line);
  process.exitCode = 1;
};

/** Adds the `gc` command group. */
export function registerGcCommands(program: Command): void {
  const gc = program.command('gc').description('garbage collection (riak-cs-admin gc)');
  const call = async (method: string, path: string) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, method, path);
    if (answer.status !== 200) {
      throw new Error(refusalText(answer.status, answer.text));
    }
    return JSON.parse(answer.text) as Record<string, unknown>;
  };
  gc.command('status')
    .description('the state of garbage collection: settings, backlog, last passes')
    .option('--json', 'print the JSON answer')
    .action(async (opts: { json?: boolean }) => {
      const status = await call('GET', '/riak-cs/gc');
      if (opts.json) return say(JSON.stringify(status));
      process.stdout.write(gcStatusText(status as unknown as GcStatusJson, Date.now()));
    });
  registerBatch(gc, call);
  registerControl(gc, call);
  gc.command('run')
    .description('collect every due entry now, then sweep for orphan blocks, and wait')
    .option('--no-sweep', 'collect due entries only')
    .action(async (opts: { sweep: boolean }) => {
      say('Collecting due entries' + (opts.sweep ? ' and sweeping…' : '…'));
      const result = await call('POST', `/riak-cs/gc${opts.sweep ? '' : '?sweep=false'}`);
      say(`Collected ${String(result['collected'])} due entries.`);
      const sweep = result['sweep'] as SweepJson | undefined;
      if (sweep) process.stdout.write(sweepText(sweep));
    });
}

type Call = (method: string, path: string) => Promise<Record<string, unknown>>;

function registerBatch(gc: Command, call: Call): void {
  gc.command('batch [leeway_seconds]')
    .description('start a batch: due entries, or those queued leeway seconds ago or in a window')
    .option('-l, --leeway <seconds>', 'collect entries queued at least this long ago')
    .option('-s, --start <time>', 'first queue time to collect (20150801T000000Z)')
    .option('-e, --end <time>', 'queue time to stop before (20150901T000000Z)')
    .option('-c, --max-workers <n>', 'refused: each storage node collects its own shards')
    .action(async (leeway: string | undefined, opts: Record<string, string | undefined>) => {
      if (opts['maxWorkers'] !== undefined) {
        throw new Error(
          '--max-workers is not supported: each storage node collects the GC shards it is ' +
            'primary for, so collection already runs on every node at once',
        );
      }
      const query = new URLSearchParams();
      const seconds = opts['leeway'] ?? leeway;
      if (seconds !== undefined) query.set('leeway', String(secondsOf(seconds, 'leeway')));
      for (const name of ['start', 'end'] as const) {
        const text = opts[name];
        if (text === undefined) continue;
        if (parseIsoBasic(text) === undefined) {
          throw new Error(`--${name} must be an ISO 8601 basic time such as 20150801T000000Z`);
        }
        query.set(name, text);
      }
      const answer = await call('POST', `/riak-cs/gc/batch?${query}`);
      const result = answer['result'];
      if (result === 'started') return say('Garbage collection batch started.');
      if (result === 'running') return fail('The garbage collection daemon is already running.');
      fail('The garbage collection daemon is paused: run cairn-admin gc resume first.');
    });
  gc.command('cancel')
    .description('cancel the batch under way')
    .action(async () => {
      const answer = await call('POST', '/riak-cs/gc/cancel');
      if (answer['result'] === 'canceled') return say('The garbage collection batch was canceled.');
      fail('No garbage collection batch was running.');
    });
  gc.command('earliest-keys')
    .description('the queue time of the oldest GC entry')
    .action(async () => {
      const status = await call('GET', '/riak-cs/gc');
      const oldest = status['oldestQueuedMs'] as number | undefined;
      say(oldest === undefined ? 'No GC key found.' : `First key is '${formatIsoBasic(oldest)}'.`);
    });
}

function registerControl(gc: Command, call: Call): void {
  gc.command('pause')
    .description('stop every collector (and the batch), until resume')
    .action(async () => {
      const answer = await call('POST', '/riak-cs/gc/pause');
      say(
        answer['result'] === 'paused'
          ? 'The garbage collection daemon was paused.'
          : 'The garbage collection daemon was already paused.',
      );
    });
  gc.command('resume')
    .description('resume collecting, at the configured interval')
    .action(async () => {
      const answer = await call('POST', '/riak-cs/gc/resume');
      say(
        answer['result'] === 'resumed'
          ? 'The garbage collection daemon was resumed.'
          : 'The garbage collection daemon was not paused.',
      );
    });
  for (const [name, path, what] of [
    ['set-interval', 'interval', 'interval'],
    ['set-leeway', 'leeway', 'leeway time'],
  ] as const) {
    gc.command(`${name} [seconds]`)
      .description(`set the garbage collection ${what} (seconds, 15m, 24h, default)`)
      .action(async (value: string | undefined) => {
        if (value === undefined) return fail(`Error: No ${what} value specified`);
        let seconds: string;
        try {
          seconds =
            value === 'default' || (value === 'infinity' && path === 'interval')
              ? value
              : String(secondsOf(value, path));
        } catch {
          return fail(`Error: Invalid ${what} specified.`);
        }
        await call('PUT', `/riak-cs/gc/${path}?seconds=${seconds}`);
        say(`The garbage collection ${what} was updated.`);
      });
  }
}

/** Whole seconds from `24h`, `900` and the like. */
function secondsOf(text: string, name: string): number {
  try {
    return durationType('s', 0, 10 * 365 * 86_400).parse(text);
  } catch (error) {
    if (error instanceof ValueError) throw new Error(`${name}: ${error.message}`);
    throw error;
  }
}

function sweepText(sweep: SweepJson): string {
  const seconds = ((sweep.finishedAtMs - sweep.startedAtMs) / 1000).toFixed(1);
  return (
    `Orphan sweep: ${sweep.blocksRemoved} of ${sweep.blocksScanned} blocks removed ` +
    `in ${sweep.partitions} partitions (${sweep.liveVersions} live versions, ${seconds} s)\n`
  );
}
