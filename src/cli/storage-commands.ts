/**
 * `cairn-admin storage [--user KEY_ID] [--bucket NAME]`: current storage (objects, bytes,
 * human sizes) per user and bucket, from GET /riak-cs/storage — counters, not a scan, so
 * it answers at once whatever the store holds. `storage batch|status|pause|resume|cancel`
 * are riak-cs-admin storage's (storage-batch-commands.ts).
 */
import type { Command } from 'commander';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import { refusalText } from './endpoint-errors.js';
import { registerStorageBatchCommands } from './storage-batch-commands.js';

/** One user of the storage answer. */
interface UserStorage {
  KeyId: string;
  Name: string;
  Objects: number;
  Bytes: number;
  NoncurrentObjects?: number;
  NoncurrentBytes?: number;
  Buckets: Array<{
    Name: string;
    Objects: number;
    Bytes: number;
    NoncurrentObjects?: number;
    NoncurrentBytes?: number;
  }>;
}

/** Adds the `storage` command. */
export function registerStorageCommands(program: Command): void {
  const storage = program.command('storage').description('storage accounting');
  registerStorageBatchCommands(storage, program);
  storage
    .command('show', { isDefault: true })
    .description('current storage per user and bucket (objects, bytes); the default')
    .option('--user <key_id>', "only this user's buckets")
    .option('--bucket <name>', 'only this bucket')
    .option('--json', 'print the JSON answer')
    .action(async (opts: { user?: string; bucket?: string; json?: boolean }) => {
      if (opts.user !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(opts.user)) {
        throw new Error(`not an access key id: ${opts.user}`);
      }
      const path =
        (opts.user ? `/riak-cs/storage/${opts.user}` : '/riak-cs/storage') +
        (opts.bucket ? `?bucket=${encodeURIComponent(opts.bucket)}` : '');
      const target = await resolveTarget(program.opts<TargetOptions>());
      const answer = await adminRequest(target, 'GET', path);
      if (answer.status >= 300) {
        throw new Error(refusalText(answer.status, answer.text));
      }
      if (opts.json) return void process.stdout.write(answer.text + '\n');
      const { Users } = JSON.parse(answer.text) as { Users: UserStorage[] };
      process.stdout.write(storageTable(Users));
    });
}

/** `bytes` in binary units: 1.5 KiB, 3.0 GiB. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * The table `cairn-admin storage` prints: one row per bucket, then per-user totals; when a
 * versioned bucket holds noncurrent versions, two more columns count them apart.
 */
export function storageTable(users: UserStorage[]): string {
  const versioned = users.some((u) => u.NoncurrentObjects !== undefined);
  const old = (u: { NoncurrentObjects?: number; NoncurrentBytes?: number }) =>
    versioned ? [String(u.NoncurrentObjects ?? 0), humanBytes(u.NoncurrentBytes ?? 0)] : [];
  const rows = users.flatMap((u) => [
    ...u.Buckets.map((b) => [
      u.KeyId,
      b.Name,
      String(b.Objects),
      String(b.Bytes),
      humanBytes(b.Bytes),
      ...old(b),
    ]),
    [
      u.KeyId,
      `(${u.Name}: total)`,
      String(u.Objects),
      String(u.Bytes),
      humanBytes(u.Bytes),
      ...old(u),
    ],
  ]);
  const header = ['KEY ID', 'BUCKET', 'OBJECTS', 'BYTES', 'SIZE'];
  if (versioned) header.push('NONCURRENT', 'NONCURRENT SIZE');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
