/**
 * `cairn-admin kms rotate`: after a new master key was put first in every front end's
 * --kms-key-file (the old one kept below it) and the front ends restarted, re-wraps every
 * SSE-S3 data key under the new key, without rewriting data. Once it has run, the old key
 * may leave the file.
 */
import type { Command } from 'commander';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Adds the `kms` command group. */
export function registerKmsCommands(program: Command): void {
  const kms = program.command('kms').description('server-side encryption master keys');
  kms
    .command('rotate')
    .description('re-wrap every SSE-S3 data key under the current (first) master key')
    .action(async () => {
      const target = await resolveTarget(program.opts<TargetOptions>());
      const answer = await adminRequest(target, 'POST', '/riak-cs/kms/rotate');
      if (answer.status !== 200) {
        throw new Error(`the store refused (HTTP ${answer.status}): ${answer.text.slice(0, 200)}`);
      }
      const report = JSON.parse(answer.text) as Record<string, number | string>;
      say(
        `Re-wrapped ${report['rewrapped']} data keys under master key ${report['keyId']} ` +
          `(${report['scanned']} records in ${report['buckets']} buckets; ` +
          `${report['uploads'] ?? 0} of the keys re-wrapped were of uploads in progress).`,
      );
    });
}
