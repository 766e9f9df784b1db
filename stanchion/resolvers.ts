/**
 * How stanchion's keyspaces resolve concurrent siblings on the ring. Records carry the
 * revision of the log entry that wrote them, so the newest decision wins even when a fenced
 * stanchion wrote late; log slots keep the highest epoch's entry; the leader record keeps
 * the highest epoch's claim.
 */
import type { Resolver } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import type { LogEntry } from './core/commands.js';
import { resolveLeader, type LeaderRecord } from './core/leadership.js';
import { resolveSnapshotHead } from './ring-snapshot.js';
import { isNewerRevision, type Revision } from './core/records.js';

const byRevision: Resolver = (values) => {
  let best = values[0]!;
  let bestRev = (JSON.parse(best.toString('utf8')) as { rev?: Revision }).rev;
  for (const value of values.slice(1)) {
    const rev = (JSON.parse(value.toString('utf8')) as { rev?: Revision }).rev;
    const tie = JSON.stringify(rev) === JSON.stringify(bestRev) && Buffer.compare(value, best) > 0;
    if (isNewerRevision(rev, bestRev) || tie) [best, bestRev] = [value, rev];
  }
  return best;
};

const byEpoch: Resolver = (values) => {
  const entries = values.map((value) => ({
    value,
    entry: JSON.parse(value.toString()) as unknown,
  }));
  entries.sort((a, b) => (a.entry as LogEntry).epoch - (b.entry as LogEntry).epoch);
  return entries.at(-1)!.value;
};

const byLeader: Resolver = (values) => {
  const records = values.map((value) => JSON.parse(value.toString('utf8')) as LeaderRecord);
  return values[records.indexOf(resolveLeader(records))]!;
};

/** Snapshot heads keep the highest seq; chunks and index entries never differ in content. */
const bySnapshot: Resolver = (values) => {
  try {
    return resolveSnapshotHead(values);
  } catch {
    // A chunk (a slice of JSON text): any sibling will do, chosen the same way everywhere.
    return values.reduce((a, b) => (Buffer.compare(a, b) >= 0 ? a : b));
  }
};

/** The resolvers to give every RingClient that reads stanchion's records. */
export const STANCHION_RESOLVERS: Readonly<Record<string, Resolver>> = {
  [KEYSPACES.users]: byRevision,
  [KEYSPACES.usersByKey]: byRevision,
  [KEYSPACES.userIndex]: byRevision,
  [KEYSPACES.buckets]: byRevision,
  [KEYSPACES.userBuckets]: byRevision,
  [KEYSPACES.deletedBuckets]: byRevision,
  [KEYSPACES.stanchionLog]: byEpoch,
  [KEYSPACES.stanchionLeader]: byLeader,
  [KEYSPACES.stanchionSnapshot]: bySnapshot,
};
