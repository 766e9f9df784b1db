/**
 * What front ends ask the active stanchion before they trust a cached user or bucket: "I
 * last saw your log at this position; what has changed since?". The feed remembers the keys
 * each recent log entry touched (a user's access key and id, a bucket's name), so the answer
 * names only those, and a front end evicts just them. It is kept in memory only: a new
 * leader, a restart or a front end too far behind answers `reset` (drop everything), which
 * is always safe. Pure: the shell records entries once they are projected to the ring and
 * before their commands are answered, so an answered mutation is always in the feed.
 */
import type { LogEntry } from './commands.js';

/** A point of stanchion's log as front ends track it: the leader epoch and the entry seq. */
export interface LogPosition {
  epoch: number;
  seq: number;
}

/** The records a run of log entries changed. */
export interface ChangedKeys {
  /** Access key ids of changed users. */
  keyIds: string[];
  /** Canonical ids of changed users. */
  userIds: string[];
  /** Names of changed (created, updated or deleted) buckets. */
  buckets: string[];
}

/** The answer to "what changed since `from`": the keys, or `reset` to drop everything. */
export type ChangeAnswer =
  { position: LogPosition; changed: ChangedKeys } | { position: LogPosition; reset: true };

/** How many recent entries the feed keeps by default. */
export const FEED_ENTRIES_MAX = 4096;

interface FeedEntry {
  seq: number;
  keyIds: string[];
  userIds: string[];
  buckets: string[];
}

/** The keys one log entry changed. */
export function changedKeysOf(entry: LogEntry): FeedEntry {
  const out: FeedEntry = { seq: entry.seq, keyIds: [], userIds: [], buckets: [] };
  for (const event of entry.events) {
    if (event.type === 'user-created' || event.type === 'user-updated') {
      out.keyIds.push(event.user.keyId);
      out.userIds.push(event.user.id);
    } else {
      out.buckets.push(event.bucket.name);
    }
  }
  return out;
}

/** The active stanchion's recent changes, bounded in entries. */
export class ChangeFeed {
  private entries: FeedEntry[] = [];
  private current: LogPosition = { epoch: 0, seq: 0 };

  constructor(private readonly entriesMax = FEED_ENTRIES_MAX) {}

  /** Starts over at `position` (on taking the leader role): older questions get reset. */
  restart(position: LogPosition): void {
    this.entries = [];
    this.current = { ...position };
  }

  /** The position the feed has reached. */
  get position(): LogPosition {
    return { ...this.current };
  }

  /** Records an entry that is now projected; entries come in seq order. */
  record(entry: LogEntry): void {
    this.entries.push(changedKeysOf(entry));
    if (this.entries.length > this.entriesMax) this.entries.shift();
    this.current = { epoch: this.current.epoch, seq: entry.seq };
  }

  /** What changed after `from`; reset when the feed cannot say (another epoch, too old). */
  since(from: LogPosition): ChangeAnswer {
    const position = this.position;
    if (from.epoch !== position.epoch || from.seq > position.seq) return { position, reset: true };
    if (from.seq === position.seq) {
      return { position, changed: { keyIds: [], userIds: [], buckets: [] } };
    }
    const first = this.entries[0];
    // The feed must hold every entry after `from`, i.e. the one at from.seq + 1.
    if (!first || first.seq > from.seq + 1) return { position, reset: true };
    const changed: ChangedKeys = { keyIds: [], userIds: [], buckets: [] };
    for (let i = from.seq + 1 - first.seq; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      changed.keyIds.push(...entry.keyIds);
      changed.userIds.push(...entry.userIds);
      changed.buckets.push(...entry.buckets);
    }
    return { position, changed };
  }
}
