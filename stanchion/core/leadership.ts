/**
 * Who is the active stanchion, decided without a clock read: the leader record on the ring
 * names a holder and an epoch (the fencing token), and the holder bumps `beat` every
 * second. A standby takes over when the record has not changed for `failoverAfterMs` of its
 * own time, by writing a higher epoch. Concurrent claims become siblings on the ring; every
 * reader resolves them the same way (highest epoch, then holder id), so exactly one wins.
 */
import type { LogEntry } from './commands.js';

/** The record every stanchion reads and the active one keeps beating. */
export interface LeaderRecord {
  epoch: number;
  holderId: string;
  /** host:port of the holder's HTTP server, for status and for clients. */
  address: string;
  beat: number;
  /** The last log entry the holder has applied and projected: followers apply up to here. */
  committedSeq: number;
  /**
   * Set by a holder that stopped cleanly (SIGTERM): it serves no more, so a standby claims
   * at once instead of after failoverAfterMs. Absent in records of older stanchions.
   */
  released?: boolean;
}

/** The winner among concurrent leader records. */
export function resolveLeader(records: readonly LeaderRecord[]): LeaderRecord {
  let best = records[0]!;
  for (const record of records.slice(1)) {
    if (
      record.epoch > best.epoch ||
      (record.epoch === best.epoch && record.holderId > best.holderId)
    ) {
      best = record;
    }
  }
  return best;
}

/** A standby's memory of the leader record: what it last saw, and since when (its time). */
export interface LeaderWatch {
  seen?: string;
  sinceMs: number;
}

/** What a standby should do after reading the leader record. */
export type WatchAction = 'follow' | 'claim';

/**
 * Observes one read of the leader record. A standby claims when there is no leader, when
 * the record names itself (it held the role before a restart; its log lock proves no other
 * process runs as it), when its holder released it on a clean stop, or when the record has
 * not moved for `failoverAfterMs`.
 */
export function observeLeader(
  watch: LeaderWatch,
  record: LeaderRecord | undefined,
  selfId: string,
  nowMs: number,
  failoverAfterMs: number,
): { watch: LeaderWatch; action: WatchAction } {
  if (!record || record.holderId === selfId || record.released === true) {
    return { watch, action: 'claim' };
  }
  const seen = `${record.epoch}/${record.holderId}/${record.beat}`;
  if (seen !== watch.seen) return { watch: { seen, sinceMs: nowMs }, action: 'follow' };
  const stalled = nowMs - watch.sinceMs >= failoverAfterMs;
  return { watch, action: stalled ? 'claim' : 'follow' };
}

/** The epoch a claimant writes: above every epoch it has seen in the record or the log. */
export function nextEpoch(record: LeaderRecord | undefined, logEpoch: number): number {
  return Math.max(record?.epoch ?? 0, logEpoch) + 1;
}

/**
 * The entries a follower may apply now: contiguous from `appliedSeq` + 1 and no further
 * than what the leader has committed (an entry past that may be a fenced leader's void
 * write, which the next leader overwrites).
 */
export function followable(
  appliedSeq: number,
  committedSeq: number,
  entries: readonly LogEntry[],
): LogEntry[] {
  const out: LogEntry[] = [];
  let next = appliedSeq + 1;
  for (const entry of entries) {
    if (entry.seq !== next || entry.seq > committedSeq) break;
    out.push(entry);
    next++;
  }
  return out;
}

/** Whether an append may take a log slot that already holds `existing` (a lower epoch's). */
export function mayOverwrite(existing: LogEntry | undefined, epoch: number): boolean {
  return !existing || existing.epoch < epoch;
}
