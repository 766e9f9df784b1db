/**
 * Drives a real stanchion with many user and bucket commands, straight at its POST
 * /command (signed with the cluster cookie, as front ends send them), many in flight so
 * its queue always holds a batch. A fixed set of users and one bucket per worker reused in
 * cycles (create, ACL, policy, versioning, user update, delete): the state stays the same
 * size, so whatever grows with the count is history. Used by `npm run bench:stanchion`
 * and test/integration/stanchion-snapshot.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalClient } from '../../ring/transport/internal-client.js';
import type { Command, CommandResult } from '../../stanchion/core/commands.js';
import type { AccessControlList } from '../../stanchion/core/records.js';
import { plainBox, sealUser } from '../../stanchion/secret-box.js';
import { newUser } from '../../stanchion/users.js';

/** A stanchion's address and its commands' client. */
export interface LoadTarget {
  client: InternalClient;
  address: string;
}

/** A client signing with `cookie`. */
export function loadClient(cookie: string): InternalClient {
  return new InternalClient({ cookie });
}

/** A user the load's buckets belong to. */
export interface Owner {
  id: string;
  keyId: string;
}

/** Sends one command; the stanchion's answer, or throws with its status. */
export async function sendCommand(target: LoadTarget, command: Command): Promise<CommandResult> {
  const reply = await target.client.request(target.address, {
    method: 'POST',
    path: '/command',
    body: Buffer.from(JSON.stringify(command)),
    contentType: 'application/json',
    timeoutMs: 30_000,
  });
  if (reply.status !== 200) throw new Error(`stanchion answered ${reply.status}`);
  return JSON.parse(reply.body.toString('utf8')) as CommandResult;
}

/**
 * Sends a create until it is answered: right after a join the ring may still be handing
 * off, and a stanchion that could not write its log stands down and claims again. A resent
 * create that its first attempt applied answers UserAlreadyExists: done.
 */
async function sendUntilAnswered(target: LoadTarget, command: Command): Promise<CommandResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await sendCommand(target, command);
      return attempt > 0 && !result.ok && result.code === 'UserAlreadyExists'
        ? { ok: true }
        : result;
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Creates `count` users (plain secrets, as a cluster without a key file stores them). */
export async function createLoadUsers(target: LoadTarget, count: number): Promise<Owner[]> {
  const ids: Owner[] = [];
  for (let i = 0; i < count; i++) {
    const world = { randomBytes, clock: Date.now };
    const user = sealUser(plainBox(), newUser(world, `load${i}@x.io`, `load${i}`, false));
    const result = await sendUntilAnswered(target, { type: 'create-user', user });
    if (!result.ok) throw new Error(`create-user refused: ${result.code}`);
    ids.push({ id: user.id, keyId: user.keyId });
  }
  return ids;
}

/** Commands in one worker's cycle over its bucket: runLoad's count is a multiple of it. */
export const CYCLE_LENGTH = 6;

/** A bucket ACL as S3 clients set it: the owner's full control and a read grant. */
function aclFor(ownerId: string, readerId: string): AccessControlList {
  const grants: AccessControlList['grants'] = [
    { grantee: { type: 'CanonicalUser', id: ownerId }, permission: 'FULL_CONTROL' },
    { grantee: { type: 'CanonicalUser', id: readerId }, permission: 'READ' },
  ];
  return { ownerId, grants };
}

/** A bucket policy letting another user read (not public, so never blocked). */
function policyFor(name: string, readerId: string): string {
  const resource = `arn:aws:s3:::${name}/*`;
  const principal = { AWS: [`arn:aws:iam::${readerId}:root`] };
  const statement = { Effect: 'Allow', Principal: principal, Action: 's3:GetObject' };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ ...statement, Resource: resource }],
  });
}

/** The `step`th command of worker `w`'s cycle over its own bucket. */
function cycleCommand(w: number, step: number, owners: readonly Owner[], run: string): Command {
  const owner = owners[w % owners.length]!;
  const readerId = owners[(w + 1) % owners.length]!.id;
  const ownerId = owner.id;
  const name = `snap-load-${w}`;
  const bucketId = `${run}-${w}-${Math.floor(step / CYCLE_LENGTH)}`;
  switch (step % CYCLE_LENGTH) {
    case 0:
      return { type: 'create-bucket', bucket: { name, id: bucketId, ownerId, createdAtMs: 0 } };
    case 1:
      return { type: 'set-bucket-acl', name, bucketId, acl: aclFor(ownerId, readerId) };
    case 2:
      return { type: 'set-bucket-policy', name, bucketId, policy: policyFor(name, readerId) };
    case 3:
      return { type: 'set-bucket-versioning', name, bucketId, status: 'Enabled' };
    case 4: {
      const changes = { displayName: `load ${step}` };
      return { type: 'update-user', keyId: owner.keyId, changes };
    }
    default:
      return { type: 'delete-bucket', name, requesterId: ownerId, isEmpty: true };
  }
}

/**
 * What a resent create or delete answers when its first attempt was applied all the same
 * (the load sends no command ids, so that remembered answers do not grow the state).
 */
const DONE_BEFORE: ReadonlySet<string> = new Set(['BucketAlreadyOwnedByYou', 'NoSuchBucket']);

/** Where commands go: the active stanchion, found again after a failure. */
class ActiveTarget {
  private current: Promise<LoadTarget> | undefined;

  constructor(private readonly find: () => Promise<LoadTarget>) {}

  /**
   * Sends a command until a stanchion accepts it (a takeover, or a ring hiccup that made
   * the active one stand down: 503), as a front end does; its id makes a resend safe.
   */
  async send(command: Command): Promise<CommandResult> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      this.current ??= this.find();
      try {
        const result = await sendCommand(await this.current, command);
        return attempt > 0 && !result.ok && DONE_BEFORE.has(result.code) ? { ok: true } : result;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        this.current = undefined;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

/**
 * Sends `count` commands from `workers` concurrent workers (count a multiple of
 * CYCLE_LENGTH × workers), each worker's in order. Every one must be accepted.
 */
export async function runLoad(
  find: () => Promise<LoadTarget>,
  options: { owners: readonly Owner[]; workers: number; count: number; run: string },
): Promise<void> {
  const target = new ActiveTarget(find);
  const perWorker = options.count / options.workers;
  await Promise.all(
    Array.from({ length: options.workers }, async (_, w) => {
      for (let step = 0; step < perWorker; step++) {
        const result = await target.send(cycleCommand(w, step, options.owners, options.run));
        if (!result.ok) throw new Error(`command refused: ${result.code} ${result.detail}`);
      }
    }),
  );
}

/**
 * LevelDB's own housekeeping: its info log (a few lines per compaction, rotated at each
 * open), the manifest (an edit per compaction, rewritten at each open), CURRENT and LOCK.
 */
const LEVELDB_OWN = /^(LOG|LOG\.old|MANIFEST-\d+|CURRENT|LOCK)$/;

/** Bytes under `dir`: of data files (tables, write-ahead logs) and of LevelDB's own. */
export async function bytesUnder(dir: string): Promise<{ data: number; own: number }> {
  const total = { data: 0, own: 0 };
  for (const name of await readdir(dir)) {
    const info = await stat(join(dir, name));
    if (info.isDirectory()) {
      const inner = await bytesUnder(join(dir, name));
      [total.data, total.own] = [total.data + inner.data, total.own + inner.own];
    } else if (LEVELDB_OWN.test(name)) total.own += info.size;
    else total.data += info.size;
  }
  return total;
}
