/**
 * This stanchion's local copy of the log: every entry it has applied, synced, in order. On
 * start it is replayed to rebuild the state quickly; the ring holds the replicated copy
 * that a standby follows and a new leader adopts (ring-log.ts).
 */
import { ClassicLevel } from 'classic-level';
import type { LogEntry } from './core/commands.js';
import { seqKey } from './ring-log.js';

/** An append-only log in its own LevelDB. */
export class CommandLog {
  private constructor(private readonly db: ClassicLevel<Buffer, string>) {}

  /** Opens (or creates) the log in `dir`. */
  static async open(dir: string): Promise<CommandLog> {
    const db = new ClassicLevel<Buffer, string>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'utf8',
    });
    await db.open();
    return new CommandLog(db);
  }

  /** Writes an applied entry and syncs. */
  async put(entry: LogEntry): Promise<void> {
    await this.db.put(seqKey(entry.seq), JSON.stringify(entry), { sync: true });
  }

  /** Every entry after `afterSeq`, in order. */
  async *replay(afterSeq = 0): AsyncGenerator<LogEntry> {
    for await (const value of this.db.values({ gt: seqKey(afterSeq) })) {
      yield JSON.parse(value) as LogEntry;
    }
  }

  /**
   * Rewrites every entry through `change` (each write synced), then compacts the whole log,
   * so no earlier form of a rewritten entry stays in its files. Returns how many changed.
   */
  async rewrite(change: (entry: LogEntry) => LogEntry): Promise<number> {
    let changed = 0;
    for await (const [key, value] of this.db.iterator()) {
      const text = JSON.stringify(change(JSON.parse(value) as LogEntry));
      if (text === value) continue;
      await this.db.put(key, text, { sync: true });
      changed++;
    }
    await this.db.compactRange(Buffer.alloc(0), Buffer.alloc(16, 0xff));
    return changed;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
