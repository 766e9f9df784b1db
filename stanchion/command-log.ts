/**
 * This stanchion's local copy of the log: every entry it has applied, synced, in order. On
 * start it is replayed to rebuild the state quickly; the ring holds the replicated copy
 * that a standby follows and a new leader adopts (ring-log.ts).
 *
 * It also keeps the latest snapshot of the state (core/snapshot.ts) under keys that sort
 * after every entry: a head and its chunks, written in one synced batch, so a crash leaves
 * the old snapshot or the new one, never part of one. Entries at or below a snapshot are
 * then deleted (trimThrough); a crash mid-trim leaves some, which replay skips.
 */
import { ClassicLevel } from 'classic-level';
import type { LogEntry } from './core/commands.js';
import { chunksOf, headOf, joinChunks, type SnapshotHead } from './core/snapshot.js';
import { seqKey } from './ring-log.js';

/** Keys of the snapshot start with this byte; entries' 8-byte keys start with 0 below it. */
const SNAPSHOT_BYTE = 0xff;
const HEAD_KEY = Buffer.from([SNAPSHOT_BYTE, 0x68]);
const LOG_END = Buffer.from([SNAPSHOT_BYTE]);
const TRIM_BATCH = 1000;

function chunkKey(seq: number, index: number): Buffer {
  const key = Buffer.alloc(14);
  key[0] = SNAPSHOT_BYTE;
  key[1] = 0x63;
  seqKey(seq).copy(key, 2);
  key.writeUInt32BE(index, 10);
  return key;
}

/** A stored snapshot: its head and its text. */
export interface StoredSnapshot {
  head: SnapshotHead;
  text: string;
}

/** An append-only log in its own LevelDB, with the latest snapshot beside it. */
export class CommandLog {
  private constructor(private readonly db: ClassicLevel<Buffer, Buffer>) {}

  /** Opens (or creates) the log in `dir`. */
  static async open(dir: string): Promise<CommandLog> {
    const db = new ClassicLevel<Buffer, Buffer>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    });
    await db.open();
    return new CommandLog(db);
  }

  /** Writes an applied entry and syncs. */
  async put(entry: LogEntry): Promise<void> {
    await this.db.put(seqKey(entry.seq), Buffer.from(JSON.stringify(entry)), { sync: true });
  }

  /** Writes applied entries in one synced batch: all of them or, after a crash, none. */
  async putMany(entries: readonly LogEntry[]): Promise<void> {
    const batch = this.db.batch();
    for (const entry of entries) batch.put(seqKey(entry.seq), Buffer.from(JSON.stringify(entry)));
    await batch.write({ sync: true });
  }

  /** Every entry after `afterSeq`, in order. */
  async *replay(afterSeq = 0): AsyncGenerator<LogEntry> {
    for await (const value of this.db.values({ gt: seqKey(afterSeq), lt: LOG_END })) {
      yield JSON.parse(value.toString('utf8')) as LogEntry;
    }
  }

  /** The latest snapshot, if one was ever written (a data dir of an older Cairn has none). */
  async loadSnapshot(): Promise<StoredSnapshot | undefined> {
    const raw = await this.db.get(HEAD_KEY);
    if (raw === undefined) return undefined;
    const head = JSON.parse(raw.toString('utf8')) as SnapshotHead;
    const keys = Array.from({ length: head.chunks }, (_, i) => chunkKey(head.seq, i));
    const chunks = await this.db.getMany(keys);
    if (chunks.some((c) => c === undefined)) throw new Error('stanchion snapshot chunk missing');
    return { head, text: joinChunks(head, chunks as Buffer[]) };
  }

  /** Writes a snapshot and its head in one synced batch, dropping the previous one's chunks. */
  async saveSnapshot(head: SnapshotHead, chunks: readonly Buffer[]): Promise<void> {
    const old = await this.db.get(HEAD_KEY);
    const batch = this.db.batch();
    if (old !== undefined) {
      const previous = JSON.parse(old.toString('utf8')) as SnapshotHead;
      const from = previous.seq === head.seq ? chunks.length : 0;
      for (let i = from; i < previous.chunks; i++) batch.del(chunkKey(previous.seq, i));
    }
    chunks.forEach((chunk, i) => batch.put(chunkKey(head.seq, i), chunk));
    batch.put(HEAD_KEY, Buffer.from(JSON.stringify(head)));
    await batch.write({ sync: true });
  }

  /**
   * Deletes every entry at or below `seq` (in synced batches), then compacts so the files
   * shrink (called after each snapshot is saved). Returns how many were deleted.
   */
  async trimThrough(seq: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const keys = await this.db.keys({ lte: seqKey(seq), limit: TRIM_BATCH }).all();
      if (keys.length === 0) break;
      await this.db.batch(
        keys.map((key) => ({ type: 'del' as const, key })),
        { sync: true },
      );
      deleted += keys.length;
    }
    // The whole store, not the trimmed range only, and even when nothing was trimmed (a
    // standby adopting the ring's snapshot past its whole log): the previous snapshot's
    // chunks, deleted when this one was saved, would otherwise linger in older tables (the
    // snapshot test saw both stanchions' bytes step up by a snapshot's size).
    await this.db.compactRange(Buffer.alloc(0), Buffer.alloc(16, 0xff));
    return deleted;
  }

  /**
   * Rewrites every entry through `change` (each write synced), then compacts the whole log,
   * so no earlier form of a rewritten entry stays in its files. Returns how many changed.
   */
  async rewrite(change: (entry: LogEntry) => LogEntry): Promise<number> {
    let changed = 0;
    for await (const [key, value] of this.db.iterator({ lt: LOG_END })) {
      const before = value.toString('utf8');
      const text = JSON.stringify(change(JSON.parse(before) as LogEntry));
      if (text === before) continue;
      await this.db.put(key, Buffer.from(text), { sync: true });
      changed++;
    }
    await this.db.compactRange(Buffer.alloc(0), Buffer.alloc(16, 0xff));
    return changed;
  }

  /**
   * Rewrites the snapshot's text through `change` (same seq), then compacts, as rewrite()
   * does for entries. False when there is no snapshot or nothing changed.
   */
  async rewriteSnapshot(change: (text: string) => string): Promise<boolean> {
    const stored = await this.loadSnapshot();
    if (!stored) return false;
    const text = change(stored.text);
    if (text === stored.text) return false;
    const chunks = chunksOf(text);
    await this.saveSnapshot(headOf(chunks, stored.head), chunks);
    await this.db.compactRange(Buffer.from([SNAPSHOT_BYTE]), Buffer.alloc(16, 0xff));
    return true;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
