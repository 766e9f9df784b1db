/**
 * Re-sealing every stored user secret from one box to another (`cairn rekey-secrets`): the
 * entries of stanchion's log on the ring and in a local copy, the user records projected
 * onto the ring, admin.json. A secret the target box already opens is left as it is, so
 * a run cut short is finished by running it again. Meant for a store whose stanchions and
 * front ends are stopped: nothing else may write these records meanwhile.
 */
import { readFile } from 'node:fs/promises';
import type { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import { writeDurableFile } from '../ring/storage/durable-file.js';
import type { CommandResult, LogEntry, StanchionEvent } from './core/commands.js';
import { applyEntry, emptyState } from './core/decide.js';
import { chunksOf, headOf, parseSnapshot, stateOf } from './core/snapshot.js';
import type { StoredSecret, UserRecord } from './core/records.js';
import { USER_INDEX_PK } from './projection.js';
import { STANCHION_RESOLVERS } from './resolvers.js';
import { seqKey } from './ring-log.js';
import { RingSnapshots } from './ring-snapshot.js';
import { storedSecret, type SecretBox } from './secret-box.js';

/** From which box to which: the key file in force, and the new one. */
export interface Rekey {
  from: SecretBox;
  to: SecretBox;
}

/** `stored` as `rekey.to` stores it (unchanged when `to` opens it already). */
export function resealSecret(rekey: Rekey, keyId: string, stored: StoredSecret): StoredSecret {
  try {
    rekey.to.open(keyId, stored);
    return stored;
  } catch {
    return rekey.to.seal(keyId, rekey.from.open(keyId, stored));
  }
}

function resealUser<T extends UserRecord | undefined>(rekey: Rekey, user: T): T {
  if (!user) return user;
  return { ...user, secret: resealSecret(rekey, user.keyId, user.secret) };
}

/** A log entry with every user secret in it (events and answer) re-sealed. */
export function resealEntry(rekey: Rekey, entry: LogEntry): LogEntry {
  const events = entry.events.map((event): StanchionEvent => {
    if ('user' in event) return { ...event, user: resealUser(rekey, event.user) };
    return event;
  });
  const result =
    entry.result.ok && entry.result.user
      ? { ...entry.result, user: resealUser(rekey, entry.result.user) }
      : entry.result;
  return { ...entry, events, result };
}

/** Snapshot text (core/snapshot.ts) with every user secret in it re-sealed. */
export function resealSnapshotText(rekey: Rekey, text: string): string {
  const body = parseSnapshot(text);
  const users = body.users.map((user) => resealUser(rekey, user));
  const results = body.results.map(([id, result]): [string, CommandResult] => [
    id,
    result.ok && result.user ? { ...result, user: resealUser(rekey, result.user) } : result,
  ]);
  return JSON.stringify({ ...body, users, results });
}

/** Re-seals the ring's snapshot; its state (or an empty one) is where the log goes on. */
async function resealRingSnapshot(ring: RingClient, rekey: Rekey) {
  const snapshots = new RingSnapshots(ring);
  const stored = await snapshots.load();
  if (!stored) return { state: emptyState(), changed: false };
  const text = resealSnapshotText(rekey, stored.text);
  if (text !== stored.text) {
    const chunks = chunksOf(text);
    await snapshots.save(headOf(chunks, stored.head), chunks);
  }
  return { state: stateOf(parseSnapshot(text)), changed: text !== stored.text };
}

/** Rewrites one ring item through `change`; false when nothing there changed. */
async function rewriteItem(
  ring: RingClient,
  keyspace: string,
  pk: string,
  sk: string | Buffer,
  change: (text: string) => string,
): Promise<boolean> {
  const read = await ring.getVersioned(keyspace, pk, sk);
  if (read.values.length === 0) return false;
  const before = read.values.map((value) => value.toString('utf8'));
  const after = before.map(change);
  if (after.every((text, i) => text === before[i])) return false;
  const values = after.map((text) => Buffer.from(text, 'utf8'));
  const resolve = STANCHION_RESOLVERS[keyspace];
  const value = resolve ? resolve(values) : values[0]!;
  await ring.putVersioned(keyspace, pk, sk, value, read.context);
  return true;
}

/** What a ring pass re-sealed. */
export interface RingReseal {
  entries: number;
  users: UserRecord[];
  /** Whether the ring held a snapshot that needed it. */
  snapshot: boolean;
}

const LOG_PAGE = 256;

/**
 * Re-seals every entry of the ring log, then every user's three projected records (by id,
 * by access key, in the index). `ring` should use stanchion's strict quorums.
 */
export async function resealRing(ring: RingClient, rekey: Rekey): Promise<RingReseal> {
  const { state, changed: snapshot } = await resealRingSnapshot(ring, rekey);
  let entries = 0;
  for (let after = 0; ;) {
    const page = await ring.scan(KEYSPACES.stanchionLog, 'log', {
      after: seqKey(after),
      limit: LOG_PAGE,
    });
    for (const item of page) {
      const seq = (JSON.parse(item.value.toString('utf8')) as LogEntry).seq;
      const change = (text: string) =>
        JSON.stringify(resealEntry(rekey, JSON.parse(text) as LogEntry));
      if (await rewriteItem(ring, KEYSPACES.stanchionLog, 'log', seqKey(seq), change)) entries++;
      const slot = await ring.get(KEYSPACES.stanchionLog, 'log', seqKey(seq));
      // The tail kept below the snapshot is re-sealed too, but is in its state already.
      if (seq > state.appliedSeq) applyEntry(state, JSON.parse(slot!.toString('utf8')) as LogEntry);
      after = seq;
    }
    if (page.length < LOG_PAGE) break;
  }
  const change = (text: string) =>
    JSON.stringify(resealUser(rekey, JSON.parse(text) as UserRecord));
  for (const user of state.users.values()) {
    await rewriteItem(ring, KEYSPACES.users, user.id, '', change);
    await rewriteItem(ring, KEYSPACES.usersByKey, user.keyId, '', change);
    await rewriteItem(ring, KEYSPACES.userIndex, USER_INDEX_PK, user.keyId, change);
  }
  return { entries, users: [...state.users.values()], snapshot };
}

/** Re-seals the admin's secret in `path` (admin.json); false when there is no such file. */
export async function resealAdminFile(path: string, rekey: Rekey): Promise<boolean> {
  let saved: { keyId: string; secret: string };
  try {
    saved = JSON.parse(await readFile(path, 'utf8')) as { keyId: string; secret: string };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const secret = resealSecret(rekey, saved.keyId, storedSecret(saved.secret));
  const text = JSON.stringify({ keyId: saved.keyId, secret }) + '\n';
  await writeDurableFile(path, text, { mode: 0o600 });
  return true;
}
