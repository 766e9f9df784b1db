/**
 * Stanchion's durable, ordered log of events. An event is on disk (synced) before its
 * result is answered; on start the log is replayed to rebuild the state. A standby will
 * follow this log (issue 6); for now one process owns it.
 */
import { ClassicLevel } from 'classic-level';
import type { StanchionEvent } from './core/commands.js';

/** One logged batch: the events of one command, at its sequence number. */
export interface LogEntry {
  seq: number;
  events: StanchionEvent[];
}

/** An append-only log in its own LevelDB. */
export class CommandLog {
  private nextSeq = 1;

  private constructor(private readonly db: ClassicLevel<Buffer, string>) {}

  /** Opens the log in `dir` and positions after its last entry. */
  static async open(dir: string): Promise<CommandLog> {
    const db = new ClassicLevel<Buffer, string>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'utf8',
    });
    await db.open();
    const log = new CommandLog(db);
    for await (const key of db.keys({ reverse: true, limit: 1 })) {
      log.nextSeq = Number(key.readBigUInt64BE(0)) + 1;
    }
    return log;
  }

  /** Appends and syncs; resolves with the entry's sequence number. */
  async append(events: StanchionEvent[]): Promise<number> {
    const seq = this.nextSeq++;
    await this.db.put(seqKey(seq), JSON.stringify(events), { sync: true });
    return seq;
  }

  /** Every entry in order. */
  async *replay(): AsyncGenerator<LogEntry> {
    for await (const [key, value] of this.db.iterator()) {
      yield { seq: Number(key.readBigUInt64BE(0)), events: JSON.parse(value) as StanchionEvent[] };
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function seqKey(seq: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(BigInt(seq), 0);
  return key;
}
