/**
 * `cairn-admin quota set|show|clear --user KEY_ID | --bucket NAME`: a user's or a bucket's
 * storage quota through the admin API (/riak-cs/quota/...). Values are checked here first,
 * so a typo is refused before any request (and the server checks them again): sizes as
 * 1073741824, 500MB, 10GiB; objects as a whole number; `none` removes one limit.
 */
import type { Command } from 'commander';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import { refusalText } from './endpoint-errors.js';
import { humanBytes } from './storage-commands.js';
import { parseQuotaBytes, parseQuotaObjects } from '../usage/core/quota-values.js';

interface TargetFlags {
  user?: string;
  bucket?: string;
}

interface QuotaAnswer {
  user?: string;
  bucket?: string;
  max_bytes: number | null;
  max_objects: number | null;
  usage: { bytes: number; objects: number };
}

/** The admin API path of the quota `flags` name; throws unless exactly one is named. */
export function quotaPath(flags: TargetFlags): string {
  if ((flags.user === undefined) === (flags.bucket === undefined)) {
    throw new Error('name one of --user KEY_ID or --bucket NAME');
  }
  if (flags.user !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(flags.user)) {
      throw new Error(`not an access key id: ${flags.user.slice(0, 130)}`);
    }
    return `/riak-cs/quota/user/${flags.user}`;
  }
  const bucket = flags.bucket!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`not a bucket name: ${bucket.slice(0, 70)}`);
  }
  return `/riak-cs/quota/bucket/${bucket}`;
}

/** The JSON body of `quota set` from its flags; throws on a bad or missing value. */
export function quotaSetBody(flags: { maxBytes?: string; maxObjects?: string }): string {
  if (flags.maxBytes === undefined && flags.maxObjects === undefined) {
    throw new Error('give --max-bytes, --max-objects or both (none removes one limit)');
  }
  const body: Record<string, number | null> = {};
  const none = (raw: string) => raw.trim().toLowerCase() === 'none';
  if (flags.maxBytes !== undefined) {
    body.max_bytes = none(flags.maxBytes) ? null : parseQuotaBytes(flags.maxBytes);
  }
  if (flags.maxObjects !== undefined) {
    body.max_objects = none(flags.maxObjects) ? null : parseQuotaObjects(flags.maxObjects);
  }
  return JSON.stringify(body);
}

/** The lines `quota show` (and set, clear) print. */
export function quotaText(answer: QuotaAnswer): string {
  const who = answer.user !== undefined ? `user ${answer.user}` : `bucket ${answer.bucket}`;
  const bytes = answer.max_bytes === null ? 'none' : humanLimit(answer.max_bytes);
  const objects = answer.max_objects === null ? 'none' : String(answer.max_objects);
  return (
    `${who}\n` +
    `  max bytes   : ${bytes}\n` +
    `  max objects : ${objects}\n` +
    `  in use      : ${humanBytes(answer.usage.bytes)} in ${answer.usage.objects} objects\n`
  );
}

function humanLimit(bytes: number): string {
  const human = humanBytes(bytes);
  return human === `${bytes} B` ? human : `${human} (${bytes} bytes)`;
}

/** Adds the `quota` command. */
export function registerQuotaCommands(program: Command): void {
  const quota = program.command('quota').description("a user's or a bucket's storage quota");
  const run = async (
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    options: { json?: boolean; body?: string },
  ) => {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const body = options.body ? { contentType: 'application/json', text: options.body } : undefined;
    const answer = await adminRequest(target, method, path, body);
    if (answer.status >= 300) throw new Error(refusalText(answer.status, answer.text));
    if (options.json) return void process.stdout.write(answer.text + '\n');
    process.stdout.write(quotaText(JSON.parse(answer.text) as QuotaAnswer));
  };
  quota
    .command('set')
    .description('set the limits given (others stay); none removes one')
    .option('--user <key_id>', 'the user (all its buckets together)')
    .option('--bucket <name>', 'the bucket')
    .option('--max-bytes <size>', 'most bytes: 1073741824, 500MB, 10GiB, or none')
    .option('--max-objects <count>', 'most objects, or none')
    .option('--json', 'print the JSON answer')
    .action(
      async (opts: TargetFlags & { maxBytes?: string; maxObjects?: string; json?: boolean }) =>
        run('PUT', quotaPath(opts), { body: quotaSetBody(opts), json: opts.json }),
    );
  for (const [name, method, text] of [
    ['show', 'GET', 'print the limits and the usage they are checked against'],
    ['clear', 'DELETE', 'remove both limits'],
  ] as const) {
    quota
      .command(name)
      .description(text)
      .option('--user <key_id>', 'the user')
      .option('--bucket <name>', 'the bucket')
      .option('--json', 'print the JSON answer')
      .action(async (opts: TargetFlags & { json?: boolean }) =>
        run(method, quotaPath(opts), { json: opts.json }),
      );
  }
}
