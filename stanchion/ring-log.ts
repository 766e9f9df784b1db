/**
 * Stanchion's log and leader record on the ring. The ring copy of the log is what makes a
 * failover lose nothing: an entry is on W replicas (synced) before its command is
 * answered, and a standby reads it from there. Both are read and written with strict
 * quorums (pr = pw = 2), so a claim and a later check always meet on a replica.
 */
import type { RingClient } from '../ring/client.js';
import type { VersionVector } from '../ring/core/dvv.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import type { LogEntry } from './core/commands.js';
import { mayOverwrite, resolveLeader, type LeaderRecord } from './core/leadership.js';

const LOG_PK = 'log';
const LEADER_PK = 'leader';

/** The 8-byte big-endian sort key of a log slot: slots scan in order. */
export function seqKey(seq: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(BigInt(seq), 0);
  return key;
}

/** The log and leader record, through a ring client with strict quorums. */
export class RingLog {
  private readonly ring: RingClient;

  constructor(ring: RingClient, strict: { pr: number; pw: number }) {
    this.ring = ring.withQuorum(strict);
  }

  /**
   * Writes `entry` into its slot unless the slot holds an entry of the same or a higher
   * epoch (then another stanchion leads, and this one must stop): false in that case.
   */
  async append(entry: LogEntry): Promise<boolean> {
    const slot = await this.ring.getVersioned(KEYSPACES.stanchionLog, LOG_PK, seqKey(entry.seq));
    const existing = slot.values.map(decodeEntry).sort((a, b) => b.epoch - a.epoch)[0];
    if (!mayOverwrite(existing, entry.epoch)) return false;
    const value = Buffer.from(JSON.stringify(entry));
    await this.ring.putVersioned(
      KEYSPACES.stanchionLog,
      LOG_PK,
      seqKey(entry.seq),
      value,
      slot.context,
    );
    return true;
  }

  /** Up to `limit` entries after `seq`, in order (siblings resolved to the highest epoch). */
  async readAfter(seq: number, limit: number): Promise<LogEntry[]> {
    const items = await this.ring.scan(KEYSPACES.stanchionLog, LOG_PK, {
      after: seqKey(seq),
      limit,
    });
    return items.map((item) => decodeEntry(item.value));
  }

  /** The leader record (siblings resolved) and the context to write over it. */
  async readLeader(): Promise<{ record?: LeaderRecord; context: VersionVector }> {
    const read = await this.ring.getVersioned(KEYSPACES.stanchionLeader, LEADER_PK);
    const records = read.values.map((v) => JSON.parse(v.toString('utf8')) as LeaderRecord);
    if (records.length === 0) return { context: read.context };
    return { record: resolveLeader(records), context: read.context };
  }

  /** Writes the leader record over what `context` saw. */
  async writeLeader(record: LeaderRecord, context: VersionVector): Promise<void> {
    const value = Buffer.from(JSON.stringify(record));
    await this.ring.putVersioned(KEYSPACES.stanchionLeader, LEADER_PK, '', value, context);
  }
}

function decodeEntry(value: Buffer): LogEntry {
  const entry = JSON.parse(value.toString('utf8')) as LogEntry;
  if (typeof entry.seq !== 'number' || typeof entry.epoch !== 'number') {
    throw new Error('corrupt stanchion log entry');
  }
  return entry;
}
