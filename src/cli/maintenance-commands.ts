/**
 * `cairn-admin cleanup-orphan-multipart [TIMESTAMP]` (Riak CS's command): aborts the
 * multipart uploads left in deleted buckets that were initiated before TIMESTAMP (ISO 8601,
 * default now), printing each bucket as the store walks them.
 */
import type { Command } from 'commander';
import { adminStream, resolveTarget, type TargetOptions } from './admin-client.js';

/** Adds cleanup-orphan-multipart. */
export function registerMaintenanceCommands(program: Command): void {
  program
    .command('cleanup-orphan-multipart [timestamp]')
    .description('abort multipart uploads left in deleted buckets, initiated before TIMESTAMP')
    .action(async (timestamp: string | undefined) => {
      const target = await resolveTarget(program.opts<TargetOptions>());
      const query = timestamp === undefined ? '' : `?timestamp=${encodeURIComponent(timestamp)}`;
      const path = `/riak-cs/cleanup-orphan-multipart${query}`;
      const answer = await adminStream(target, 'POST', path, process.stdout);
      if (answer.status !== 200) {
        const message = /<Message>([^<]*)<\/Message>/.exec(answer.text)?.[1] ?? answer.text;
        throw new Error(`the store refused (HTTP ${answer.status}): ${message.slice(0, 300)}`);
      }
      if (!/have been deleted/.test(answer.text)) process.exitCode = 1;
    });
}
