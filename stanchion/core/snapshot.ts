/**
 * A snapshot of stanchion's state at one log sequence number, so that a restart (or a
 * standby far behind) loads it and replays only the log after it, instead of the whole
 * history. Pure: encoding, decoding, chunking and the policy of when to take one. Users are
 * kept exactly as the log holds them, so their secrets stay sealed (secret-box) in it too.
 */
import { createHash } from 'node:crypto';
import type { CommandResult } from './commands.js';
import { emptyState, type StanchionState } from './decide.js';
import type { BucketRecord, UserRecord } from './records.js';

/** The format written; a reader refuses any other (a newer Cairn's) rather than guess. */
export const SNAPSHOT_FORMAT = 1;

/** What a snapshot holds: the state's records; the indexes are rebuilt from them. */
export interface SnapshotBody {
  format: number;
  seq: number;
  epoch: number;
  users: UserRecord[];
  buckets: BucketRecord[];
  /** Remembered answers by command id, oldest first (retries keep their first answer). */
  results: Array<[string, CommandResult]>;
}

/** Where a stored snapshot's text is and how to check it: written after every chunk. */
export interface SnapshotHead {
  seq: number;
  epoch: number;
  chunks: number;
  bytes: number;
  /** sha256 of the whole text, hex: a torn or mixed snapshot is refused, never loaded. */
  sha256: string;
  /** Who wrote it (chunk keys carry it, so two writers never mix chunks). */
  writerId: string;
}

/** When to take a snapshot, and how much log to keep below it. */
export interface SnapshotPolicy {
  /** Take one once this many entries were applied since the last. */
  everyEntries: number;
  /** ... or once this many bytes of log were written since the last. */
  everyBytes: number;
  /** Entries kept below a snapshot, for standbys that lag a little. */
  tailEntries: number;
}

/** Defaults: bounded restart work (10,000 entries, 64 MiB) and a 1,000-entry tail. */
export const SNAPSHOT_DEFAULTS: SnapshotPolicy = {
  everyEntries: 10_000,
  everyBytes: 64 * 1024 * 1024,
  tailEntries: 1_000,
};

/** Size of one stored chunk of a snapshot's text, in bytes. */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/** The state as snapshot text (JSON). */
export function encodeSnapshot(state: StanchionState): string {
  const body: SnapshotBody = {
    format: SNAPSHOT_FORMAT,
    seq: state.appliedSeq,
    epoch: state.epoch,
    users: [...state.users.values()],
    buckets: [...state.buckets.values()],
    results: [...state.results.entries()],
  };
  return JSON.stringify(body);
}

/** Parses snapshot text; throws on a format this version does not know. */
export function parseSnapshot(text: string): SnapshotBody {
  const body = JSON.parse(text) as SnapshotBody;
  if (body.format !== SNAPSHOT_FORMAT) {
    throw new Error(`stanchion snapshot of unknown format ${String(body.format)}`);
  }
  if (!Number.isSafeInteger(body.seq) || !Number.isSafeInteger(body.epoch)) {
    throw new Error('corrupt stanchion snapshot');
  }
  return body;
}

/** The state a snapshot body describes, indexes rebuilt. */
export function stateOf(body: SnapshotBody): StanchionState {
  const state = emptyState();
  for (const user of body.users) {
    state.users.set(user.id, user);
    state.userIdByEmail.set(user.email.toLowerCase(), user.id);
    state.userIdByKey.set(user.keyId, user.id);
  }
  for (const bucket of body.buckets) {
    state.buckets.set(bucket.name, bucket);
    const count = state.bucketCountByOwner.get(bucket.ownerId) ?? 0;
    state.bucketCountByOwner.set(bucket.ownerId, count + 1);
  }
  for (const [id, result] of body.results) state.results.set(id, result);
  state.appliedSeq = body.seq;
  state.epoch = body.epoch;
  return state;
}

/** The text cut into chunks of at most `chunkBytes` bytes (UTF-8 safe: cut as bytes). */
export function chunksOf(text: string, chunkBytes = SNAPSHOT_CHUNK_BYTES): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    chunks.push(bytes.subarray(at, at + chunkBytes));
  }
  return chunks.length > 0 ? chunks : [Buffer.alloc(0)];
}

/** The head describing `chunks` of a snapshot at `seq`/`epoch`. */
export function headOf(
  chunks: readonly Buffer[],
  at: { seq: number; epoch: number; writerId: string },
): SnapshotHead {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { ...at, chunks: chunks.length, bytes, sha256: hash.digest('hex') };
}

/** The text of `chunks` if it matches `head`; throws if torn, missing or mixed. */
export function joinChunks(head: SnapshotHead, chunks: readonly Buffer[]): string {
  const check = headOf(chunks, head);
  if (chunks.length !== head.chunks || check.sha256 !== head.sha256) {
    throw new Error(`stanchion snapshot at ${head.seq} does not match its head`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether the log since the last snapshot calls for a new one. */
export function snapshotDue(
  policy: SnapshotPolicy,
  since: { entries: number; bytes: number },
): boolean {
  return since.entries >= policy.everyEntries || since.bytes >= policy.everyBytes;
}

/** The highest seq whose entries may be deleted under a snapshot at `snapshotSeq`. */
export function trimThrough(policy: SnapshotPolicy, snapshotSeq: number): number {
  return Math.max(0, snapshotSeq - policy.tailEntries);
}
