/**
 * `cairn-admin stanchion status`: asks every stanchion it is given for its role, epoch and
 * progress, and says which one the leader record names. A stanchion that does not answer
 * is shown as down, never skipped. `stanchion show|switch HOST PORT` are riak-cs-admin's:
 * where the front end at --url sends user and bucket changes, and sending them elsewhere
 * first until it restarts.
 */
import type { Command } from 'commander';
import type { StanchionAnswer } from '../../stanchion/client.js';
import { refusalText } from './endpoint-errors.js';
import { stanchionStatusAction, type StanchionStatusOptions } from './stanchion-status.js';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';

/** Adds the `stanchion` command group. */
export function registerStanchionCommands(program: Command): void {
  const group = program.command('stanchion').description('inspect the serializer');
  group
    .command('status')
    .description('role, epoch, log position and queue of each stanchion')
    .option(
      '--stanchion <host:port,...>',
      'stanchion addresses (CAIRN_STANCHION; default 127.0.0.1:8085); needs --cookie',
    )
    .option('--json', 'print the answers as JSON')
    .action((opts: StanchionStatusOptions) => stanchionStatusAction(program, opts, statusText));
  registerShowSwitch(group, program);
}

function registerShowSwitch(group: Command, program: Command): void {
  const call = async (method: string, path: string) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, method, path);
    if (answer.status !== 200) {
      throw new Error(refusalText(answer.status, answer.text));
    }
    return JSON.parse(answer.text) as { addresses?: string[]; role?: string; embedded?: boolean };
  };
  group
    .command('show')
    .description('where the front end at --url sends user and bucket changes')
    .action(async () => {
      const answer = await call('GET', '/riak-cs/stanchion');
      const [first, ...rest] = answer.addresses ?? [];
      if (!first) return void process.stdout.write('Current Stanchion Address: in-process\n');
      process.stdout.write(`Current Stanchion Address: http://${first}\n`);
      if (rest.length > 0) process.stdout.write(`Then tried in turn: ${rest.join(', ')}\n`);
    });
  group
    .command('switch <host> <port>')
    .description('send changes to HOST:PORT first, until the front end restarts')
    .action(async (host: string, port: string) => {
      if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
        throw new Error(`not a port: ${port}`);
      }
      const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      const answer = await call('PUT', `/riak-cs/stanchion?address=${encodeURIComponent(address)}`);
      process.stdout.write(
        `Successfully switched stanchion to ${address}: This change is only effective until ` +
          'restart.\nTo make permanent change, be sure to edit the config file ' +
          '(stanchion_host, or --stanchion).\n',
      );
      if (answer.role !== 'active') {
        process.stdout.write(
          `Note: ${address} is a ${answer.role ?? 'standby'}: changes keep going to the active ` +
            'stanchion until it takes over.\n',
        );
      }
    });
}

type Answer = StanchionAnswer;

/** The status table and the leader line. */
export function statusText(answers: Answer[]): string {
  const header = ['ADDRESS', 'ROLE', 'EPOCH', 'APPLIED', 'SNAPSHOT', 'TAIL', 'QUEUE', 'USERS'];
  header.push('BUCKETS');
  const rows = answers.map((a) =>
    'status' in a
      ? [
          a.address,
          a.status.role,
          String(a.status.epoch),
          String(a.status.appliedSeq),
          // A stanchion of an older Cairn (mid-upgrade) reports neither.
          String(a.status.snapshotSeq ?? '-'),
          String(a.status.logTail ?? '-'),
          String(a.status.queueLength),
          String(a.status.users),
          String(a.status.buckets),
        ]
      : [a.address, `down (${a.error})`, '-', '-', '-', '-', '-', '-', '-'],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const leader = answers.flatMap((a) =>
    'status' in a && a.status.leader ? [a.status.leader] : [],
  );
  const newest = leader.sort((a, b) => b.epoch - a.epoch || b.beat - a.beat)[0];
  const leaderLine = newest
    ? `Leader record: ${newest.address} at epoch ${newest.epoch} ` +
      `(beat ${newest.beat}, committed entry ${newest.committedSeq})`
    : 'Leader record: none seen';
  const active = rows.filter((r) => r[1] === 'active').length;
  const verdict =
    active === 1
      ? ''
      : active === 0
        ? '\nNo stanchion is active: user and bucket changes answer 503.'
        : '\nMore than one says active: the lower epoch stands down at its next beat.';
  return [line(header), ...rows.map(line), '', leaderLine + verdict].join('\n') + '\n';
}
