/**
 * New user records and the admin bootstrap. Key ids are 20 upper-case letters and digits
 * and secrets 40 URL-safe characters, as Riak CS issued them. Randomness and the clock are
 * passed in. The active stanchion creates the admin on the cluster's first start; every
 * stanchion (a standby once it has followed the log) knows it and can print its keys.
 */
import { join } from 'node:path';
import { writeDurableFile } from '../ring/storage/durable-file.js';
import { openUser, plainBox, sealUser, type OpenUser, type SecretBox } from './secret-box.js';
import type { StanchionServer } from './server.js';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Sources of randomness and time. */
export interface UserWorld {
  randomBytes: (count: number) => Buffer;
  clock: () => number;
}

/** A fresh 40-character secret. */
export function newSecret(world: Pick<UserWorld, 'randomBytes'>): string {
  return world.randomBytes(30).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A new user with fresh keys, its secret in the clear (seal it to store it). */
export function newUser(world: UserWorld, email: string, name: string, isAdmin: boolean) {
  const keyBytes = world.randomBytes(20);
  const keyId = [...keyBytes].map((b) => KEY_ID_ALPHABET[b % KEY_ID_ALPHABET.length]).join('');
  const user: OpenUser = {
    id: world.randomBytes(32).toString('hex'),
    keyId,
    secret: newSecret(world),
    email,
    name,
    displayName: email.split('@')[0] ?? name,
    status: 'enabled',
    isAdmin,
    createdAtMs: world.clock(),
  };
  return user;
}

/**
 * The admin user: created by the active stanchion if the log holds none yet (with `wanted`
 * keys when the operator set them, as Riak CS's admin.key and admin.secret); a standby
 * waits until it has followed the log to it. An existing admin whose keys differ from
 * `wanted` is an error, never a silent second admin. Its keys are also written to
 * `dataDir`/admin.json (mode 0600) for `cairn-admin --data-dir`, the secret as stored: sealed
 * under `box`'s key file when there is one, so the data dir alone opens nothing.
 */
export async function ensureAdmin(
  world: UserWorld,
  server: StanchionServer,
  dataDir: string,
  options: { waitMs?: number; wanted?: { keyId: string; secret: string }; box?: SecretBox } = {},
): Promise<OpenUser> {
  const { wanted, box = plainBox() } = options;
  const deadline = world.clock() + (options.waitMs ?? 60_000);
  let stored = server.admin();
  while (!stored) {
    if (server.currentRole === 'active') {
      const user = sealUser(box, {
        ...newUser(world, 'admin@cairn.local', 'admin', true),
        ...wanted,
      });
      const result = await server.execute({ type: 'create-user', user });
      if (!result.ok) throw new Error(`could not create the admin user: ${result.detail}`);
    } else if (world.clock() > deadline) {
      throw new Error('no admin user appeared in the log (is the active stanchion running?)');
    } else {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    stored = server.admin();
  }
  const admin = openUser(box, stored);
  if (wanted && (admin.keyId !== wanted.keyId || admin.secret !== wanted.secret)) {
    throw new Error(
      `admin.key ${wanted.keyId} does not match the admin this store already has ` +
        `(${admin.keyId}): set admin.key and admin.secret to its keys, or remove them`,
    );
  }
  const text = JSON.stringify({ keyId: stored.keyId, secret: stored.secret }) + '\n';
  await writeDurableFile(join(dataDir, 'admin.json'), text, { mode: 0o600 });
  return admin;
}
