/**
 * New user records and the admin bootstrap. Key ids are 20 upper-case letters and digits
 * and secrets 40 URL-safe characters, as Riak CS issued them. Randomness and the clock are
 * passed in. The first start of a store (or of a cluster's stanchion) creates the admin
 * and keeps its keys in the data dir, so later starts print the same ones.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RingClient } from '../ring/client.js';
import type { CommandResult, Command } from './core/commands.js';
import type { UserRecord } from './core/records.js';
import { readUserByKey } from './reader.js';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Sources of randomness and time. */
export interface UserWorld {
  randomBytes: (count: number) => Buffer;
  clock: () => number;
}

/** A new user record with fresh keys. */
export function newUser(world: UserWorld, email: string, name: string, isAdmin: boolean) {
  const keyBytes = world.randomBytes(20);
  const keyId = [...keyBytes].map((b) => KEY_ID_ALPHABET[b % KEY_ID_ALPHABET.length]).join('');
  const secret = world.randomBytes(30).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  const user: UserRecord = {
    id: world.randomBytes(32).toString('hex'),
    keyId,
    secret,
    email,
    name,
    displayName: email.split('@')[0] ?? name,
    status: 'enabled',
    isAdmin,
    createdAtMs: world.clock(),
  };
  return user;
}

/** The admin user: created on first start, read back from `dataDir`/admin.json after. */
export async function ensureAdmin(
  world: UserWorld,
  ring: RingClient,
  execute: (command: Command) => Promise<CommandResult>,
  dataDir: string,
): Promise<UserRecord> {
  const path = join(dataDir, 'admin.json');
  const saved = await readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as { keyId: string },
    () => undefined,
  );
  if (saved) {
    const user = await readUserByKey(ring, saved.keyId);
    if (user) return user;
    throw new Error(`${path} names admin key ${saved.keyId}, which the store does not hold`);
  }
  const user = newUser(world, 'admin@cairn.local', 'admin', true);
  const result = await execute({ type: 'create-user', user });
  if (!result.ok) throw new Error(`could not create the admin user: ${result.detail}`);
  await writeFile(path, JSON.stringify({ keyId: user.keyId, secret: user.secret }) + '\n');
  await chmod(path, 0o600);
  return user;
}
