/**
 * `cairn-admin user ...`: creates users through the Riak CS admin API, printing the new
 * keys as copy-pasteable environment lines.
 */
import type { Command } from 'commander';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';

/** Adds the `user` command group. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a user; prints its key id and secret')
    .requiredOption('--email <email>', "the user's e-mail (unique)")
    .requiredOption('--name <name>', "the user's name")
    .option('--json', 'print the Riak CS JSON answer')
    .action(async (opts: { email: string; name: string; json?: boolean }) => {
      const target = await resolveTarget(program.opts<TargetOptions>());
      const text = JSON.stringify({ email: opts.email, name: opts.name });
      const answer = await adminRequest(target, 'POST', '/riak-cs/user', {
        contentType: 'application/json',
        text,
      });
      if (answer.status !== 201) {
        throw new Error(`the store refused (HTTP ${answer.status}): ${errorSummary(answer.text)}`);
      }
      if (opts.json) {
        process.stdout.write(answer.text + '\n');
        return;
      }
      const created = JSON.parse(answer.text) as Record<string, string>;
      process.stdout.write(
        `Created user ${created['name']} <${created['email']}> (id ${created['id']})\n` +
          `AWS_ACCESS_KEY_ID=${created['key_id']}\n` +
          `AWS_SECRET_ACCESS_KEY=${created['key_secret']}\n`,
      );
    });
}

function errorSummary(text: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return code ? `${code}: ${message ?? ''}` : text.slice(0, 200);
}
