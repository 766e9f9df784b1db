/**
 * When and how a stanchion snapshots its state (core/snapshot.ts): every `everyEntries`
 * entries or `everyBytes` bytes of log, into its local log's LevelDB and, when active, onto
 * the ring; then the log below the snapshot (less a tail) is trimmed, locally and on the
 * ring. A restart loads the local snapshot and replays the tail; a standby that finds a gap
 * in the ring log (it lagged past the tail) adopts the ring's snapshot.
 */
import type { LogEntry } from './core/commands.js';
import { emptyState, type StanchionState } from './core/decide.js';
import {
  chunksOf,
  encodeSnapshot,
  headOf,
  parseSnapshot,
  snapshotDue,
  stateOf,
  trimThrough,
  type SnapshotPolicy,
} from './core/snapshot.js';
import type { CommandLog, StoredSnapshot } from './command-log.js';
import type { RingSnapshots } from './ring-snapshot.js';

/** What the snapshotter needs of the local log (CommandLog on disk). */
export type SnapshotLog = Pick<CommandLog, 'loadSnapshot' | 'saveSnapshot' | 'trimThrough'>;

/** Takes, stores, loads and adopts snapshots for one stanchion. */
export class Snapshotter {
  /** The seq of the latest snapshot this process holds locally (0: none). */
  snapshotSeq = 0;
  private entriesSince = 0;
  private bytesSince = 0;

  constructor(
    private readonly local: SnapshotLog,
    private readonly ring: RingSnapshots,
    private readonly policy: SnapshotPolicy,
    private readonly writerId: string,
  ) {}

  /** The state of the local snapshot (or an empty one) and the seq to replay after. */
  async restore(): Promise<StanchionState> {
    const stored = await this.local.loadSnapshot();
    if (!stored) return emptyState();
    this.snapshotSeq = stored.head.seq;
    return stateOf(parseSnapshot(stored.text));
  }

  /** Counts an entry applied (replayed, followed or executed) toward the next snapshot. */
  note(entry: LogEntry): void {
    this.entriesSince++;
    this.bytesSince += Buffer.byteLength(JSON.stringify(entry));
  }

  /**
   * Takes a snapshot of `state` if one is due: locally, and with `shared` on the ring too
   * (then the ring log is trimmed below it). The state is encoded before the first await,
   * so commands applied meanwhile are simply in the next one. Returns its seq, if taken.
   */
  async maybeTake(state: StanchionState, shared: boolean): Promise<number | undefined> {
    const since = { entries: this.entriesSince, bytes: this.bytesSince };
    if (state.appliedSeq <= this.snapshotSeq || !snapshotDue(this.policy, since)) return;
    const seq = state.appliedSeq;
    const chunks = chunksOf(encodeSnapshot(state));
    const head = headOf(chunks, { seq, epoch: state.epoch, writerId: this.writerId });
    [this.entriesSince, this.bytesSince] = [0, 0];
    await this.local.saveSnapshot(head, chunks);
    try {
      // The local log serves only this process's restarts, which load this snapshot.
      await this.local.trimThrough(trimThrough(this.policy, seq));
    } finally {
      this.snapshotSeq = seq;
    }
    if (shared) {
      await this.ring.save(head, chunks);
      await this.ring.trimLog(trimThrough(this.policy, seq));
      await this.ring.dropStale(head);
    }
    return seq;
  }

  /**
   * Adopts the ring's snapshot if it is past `appliedSeq` (the log below it is gone):
   * stores it locally, drops every local entry at or below it, and returns its state.
   */
  async adoptIfAhead(appliedSeq: number): Promise<StanchionState | undefined> {
    const head = await this.ring.head();
    if (!head || head.seq <= appliedSeq) return undefined;
    const stored = await this.ring.load();
    if (!stored) return undefined;
    return this.adopt(stored);
  }

  private async adopt(stored: StoredSnapshot): Promise<StanchionState> {
    const state = stateOf(parseSnapshot(stored.text));
    const chunks = chunksOf(stored.text);
    await this.local.saveSnapshot(stored.head, chunks);
    await this.local.trimThrough(stored.head.seq);
    this.snapshotSeq = stored.head.seq;
    [this.entriesSince, this.bytesSince] = [0, 0];
    return state;
  }
}
