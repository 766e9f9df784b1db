/**
 * `cairn-admin user create|list|show|enable|disable|rekey`: the Riak CS admin API from the
 * command line. New keys print as copy-pasteable environment lines; refusals print the
 * store's error code and exit non-zero.
 */
import type { Command } from 'commander';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import { refusalText } from './endpoint-errors.js';

type UserJson = Record<string, unknown> & { key_id: string; key_secret: string };

/** Adds the `user` command group. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage users');
  const call = async (method: string, path: string, body?: Record<string, unknown>) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const text = body ? JSON.stringify(body) : undefined;
    const answer = await adminRequest(
      target,
      method,
      path,
      text ? { contentType: 'application/json', text } : undefined,
    );
    if (answer.status >= 300) {
      throw new Error(refusalText(answer.status, answer.text));
    }
    return answer.text;
  };
  const keyPath = (keyId: string) => {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(keyId)) throw new Error(`not an access key id: ${keyId}`);
    return `/riak-cs/user/${keyId}`;
  };
  registerCreate(user, call);
  user
    .command('list')
    .description('list users (key id, status, e-mail, name)')
    .option('--status <status>', 'only enabled or disabled users')
    .option('--json', 'print one JSON array')
    .action(async (opts: { status?: string; json?: boolean }) => {
      if (opts.status !== undefined && !['enabled', 'disabled'].includes(opts.status)) {
        throw new Error('--status must be enabled or disabled');
      }
      const query = opts.status ? `?status=${opts.status}` : '';
      const users = parseMultipartUsers(await call('GET', `/riak-cs/users${query}`));
      if (opts.json) return void process.stdout.write(JSON.stringify(users) + '\n');
      process.stdout.write(userTable(users));
    });
  user
    .command('show <key_id>')
    .description("show one user's record and buckets")
    .option('--json', 'print the Riak CS JSON answer')
    .action(async (keyId: string, opts: { json?: boolean }) => {
      printUser(await call('GET', keyPath(keyId)), opts.json, 'User');
    });
  for (const [name, status] of [
    ['enable', 'enabled'],
    ['disable', 'disabled'],
  ] as const) {
    user
      .command(`${name} <key_id>`)
      .description(`${name} a user`)
      .action(async (keyId: string) => {
        const updated = JSON.parse(await call('PUT', keyPath(keyId), { status })) as UserJson;
        process.stdout.write(`User ${updated.key_id} is now ${String(updated['status'])}\n`);
      });
  }
  user
    .command('rekey <key_id>')
    .description('issue a new secret for a user (the key id stays); prints it')
    .action(async (keyId: string) => {
      const text = await call('PUT', keyPath(keyId), { new_key_secret: true });
      printUser(text, false, 'Rekeyed');
    });
}

type Call = (method: string, path: string, body?: Record<string, unknown>) => Promise<string>;

function registerCreate(user: Command, call: Call): void {
  user
    .command('create')
    .description('create a user; prints its key id and secret')
    .option('--email <email>', "the user's e-mail (unique; required)")
    .option('--name <name>', "the user's name (required)")
    .option('--json', 'print the Riak CS JSON answer')
    .action(async (opts: { email?: string; name?: string; json?: boolean }) => {
      // Checked here, not by requiredOption: commander checks those before unknown options,
      // so a misspelt --mail would be reported as a missing --email.
      if (opts.email === undefined || opts.name === undefined) {
        throw new Error('user create needs --email <email> and --name <name>');
      }
      const text = await call('POST', '/riak-cs/user', { email: opts.email, name: opts.name });
      printUser(text, opts.json, 'Created');
    });
}

function printUser(text: string, json: boolean | undefined, verb: string): void {
  if (json) return void process.stdout.write(text + '\n');
  const user = JSON.parse(text) as UserJson;
  const buckets = (user['buckets'] as Array<{ name: string }> | undefined) ?? [];
  process.stdout.write(
    `${verb === 'User' ? 'User' : `${verb} user`} ${String(user['name'])} ` +
      `<${String(user['email'])}> ` +
      `(id ${String(user['id'])}, ${String(user['status'])})\n` +
      (verb === 'User' ? `Buckets: ${buckets.map((b) => b.name).join(', ') || '-'}\n` : '') +
      `AWS_ACCESS_KEY_ID=${user.key_id}\n` +
      `AWS_SECRET_ACCESS_KEY=${user.key_secret}\n`,
  );
}

/** The users of a Riak CS multipart/mixed answer: one JSON array per part. */
export function parseMultipartUsers(text: string): UserJson[] {
  const users: UserJson[] = [];
  for (const part of text.split(/\r?\n--[0-9a-zA-Z]+/)) {
    const at = part.indexOf('\r\n\r\n');
    if (at < 0) continue;
    const body = part.slice(at + 4).trim();
    if (body.startsWith('[')) users.push(...(JSON.parse(body) as UserJson[]));
  }
  return users;
}

function userTable(users: UserJson[]): string {
  const rows = users.map((u) => [
    u.key_id,
    String(u['status']),
    String(u['email']),
    String(u['name']),
  ]);
  const header = ['KEY ID', 'STATUS', 'EMAIL', 'NAME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + `\n${users.length} user(s)\n`;
}
