/**
 * `cairn-admin storage batch|status|pause|resume|cancel` and `cairn-admin access flush`:
 * riak-cs-admin storage's and access's commands, with their messages, against the front
 * end at --url. A storage batch recounts every bucket and takes a storage sample of every
 * user now; an access flush archives the front end's access statistics now.
 */
import type { Command } from 'commander';
import { formatDurationMs } from '../config/core/values.js';
import { formatIsoBasic } from '../usage/core/iso8601.js';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import { refusalText } from './endpoint-errors.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

type Call = (method: string, path: string) => Promise<Record<string, unknown>>;

function caller(program: Command): Call {
  return async (method, path) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, method, path);
    if (answer.status !== 200) {
      throw new Error(refusalText(answer.status, answer.text));
    }
    return JSON.parse(answer.text) as Record<string, unknown>;
  };
}

/** Adds batch, status, pause, resume and cancel to the `storage` group. */
export function registerStorageBatchCommands(storage: Command, program: Command): void {
  const call = caller(program);
  storage
    .command('batch')
    .description('recount every bucket and take a storage sample of every user, now')
    .action(async () => {
      const answer = await call('POST', '/riak-cs/storage-batch/start');
      if (answer['result'] === 'started') return say('Batch storage calculation started.');
      say('Error: A batch storage calculation is already in progress.');
      process.exitCode = 1;
    });
  storage
    .command('status')
    .description('the storage calculation under way, and the sampling schedule')
    .action(async () => {
      process.stdout.write(storageStatusText(await call('GET', '/riak-cs/storage-batch')));
    });
  const messages = {
    pause: ['The calculation was paused.', 'No storage calculation was running.'],
    resume: ['The calculation was resumed.', 'No calculation was running.'],
    cancel: ['The calculation was canceled.', 'No storage calculation was running.'],
  } as const;
  for (const [name, [done, idle]] of Object.entries(messages)) {
    storage
      .command(name)
      .description(`${name} the storage calculation under way`)
      .action(async () => {
        const answer = await call('POST', `/riak-cs/storage-batch/${name}`);
        say(answer['result'] === 'idle' ? idle : done);
      });
  }
}

/** Adds the `access` group: flush. */
export function registerAccessCommands(program: Command): void {
  const call = caller(program);
  program
    .command('access')
    .description('access statistics (riak-cs-admin access)')
    .command('flush')
    .description("archive this front end's access statistics now")
    .action(async () => {
      say('Adding current log to archive queue...');
      say('Waiting for archiver to finish...');
      const answer = await call('POST', '/riak-cs/access/flush');
      say(`All access logs were flushed. (${String(answer['archived'])} users' statistics)`);
    });
}

/** The status text, as riak-cs-admin storage status printed it. */
export function storageStatusText(status: Record<string, unknown>): string {
  const state = status['state'];
  const lines = [
    state === 'calculating'
      ? 'A storage calculation is in progress'
      : state === 'paused'
        ? 'A storage calculation is currently paused'
        : 'There is no storage calculation in progress',
  ];
  const detail = (name: string, value: string | number) => lines.push(`  ${name}: ${value}`);
  const time = (ms: unknown) => (typeof ms === 'number' ? formatIsoBasic(ms) : 'unknown/never');
  const schedule = status['schedule'] as { periodMs: number; lastMs?: number; nextMs?: number };
  detail(
    'Schedule',
    schedule.periodMs > 0 ? `every ${formatDurationMs(schedule.periodMs)}` : 'none defined',
  );
  const last = status['last'] as { startedAtMs: number } | undefined;
  detail('Last run started at', time(last?.startedAtMs ?? schedule.lastMs));
  detail('Next run scheduled for', time(schedule.nextMs));
  if (state !== 'idle') {
    const started = status['startedAtMs'] as number;
    detail('Current run started at', time(started));
    detail('Elapsed time of current run', Math.round((Date.now() - started) / 1000));
    detail('Users completed in current run', Number(status['usersDone']));
    detail('Users left in current run', Number(status['usersLeft']));
  }
  return lines.join('\n') + '\n';
}
