/**
 * Stanchion's snapshot on the ring, so a new leader or a standby too far behind the log's
 * kept tail can adopt it. Written in an order that a crash at any point leaves readable:
 * an index entry naming the snapshot's chunk partition, the chunks, then the head (the
 * only thing readers follow; it never moves back to a lower seq). Only then is the ring
 * log trimmed below it, and older snapshots' chunks dropped (found through the index, so
 * a clean-up cut short is finished by the next one).
 */
import type { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import { joinChunks, type SnapshotHead } from './core/snapshot.js';
import type { StoredSnapshot } from './command-log.js';

const KS = KEYSPACES.stanchionSnapshot;
const HEAD_PK = 'head';
const INDEX_PK = 'index';
const PAGE = 256;
/** Ring log deletes of a trim in flight at once. */
const TRIM_PARALLEL = 32;

/** The partition holding the chunks of the snapshot `head` describes. */
export function chunkPartition(head: Pick<SnapshotHead, 'seq' | 'writerId'>): string {
  return `chunks/${String(head.seq).padStart(16, '0')}/${head.writerId}`;
}

function indexSk(head: SnapshotHead): Buffer {
  return Buffer.from(chunkPartition(head), 'utf8');
}

function chunkSk(index: number): Buffer {
  const sk = Buffer.alloc(4);
  sk.writeUInt32BE(index, 0);
  return sk;
}

/** Of concurrent heads, the one of the highest seq (then the greatest text): all agree. */
export function resolveSnapshotHead(values: Buffer[]): Buffer {
  let best = values[0]!;
  let bestSeq = (JSON.parse(best.toString('utf8')) as SnapshotHead).seq;
  for (const value of values.slice(1)) {
    const seq = (JSON.parse(value.toString('utf8')) as SnapshotHead).seq;
    if (seq > bestSeq || (seq === bestSeq && Buffer.compare(value, best) > 0)) {
      [best, bestSeq] = [value, seq];
    }
  }
  return best;
}

/** The snapshot and the trimming of the log on the ring (strict quorums, as the log). */
export class RingSnapshots {
  private readonly ring: RingClient;

  /** `strict`: the log's quorums (none given: `ring`'s own). */
  constructor(ring: RingClient, strict: { pr?: number; pw?: number } = {}) {
    this.ring = ring.withQuorum(strict);
  }

  /** The head the ring holds, if any. */
  async head(): Promise<SnapshotHead | undefined> {
    const { values } = await this.ring.getVersioned(KS, HEAD_PK);
    if (values.length === 0) return undefined;
    return JSON.parse(resolveSnapshotHead(values).toString('utf8')) as SnapshotHead;
  }

  /** The latest snapshot, checked against its head; undefined when none was written. */
  async load(): Promise<StoredSnapshot | undefined> {
    const head = await this.head();
    if (!head) return undefined;
    const chunks: Buffer[] = [];
    for (let i = 0; i < head.chunks; i++) {
      const chunk = await this.ring.get(KS, chunkPartition(head), chunkSk(i));
      if (!chunk) throw new Error(`stanchion snapshot at ${head.seq}: chunk ${i} missing`);
      chunks.push(chunk);
    }
    return { head, text: joinChunks(head, chunks) };
  }

  /** Stores a snapshot; its head replaces the ring's unless that one is newer. */
  async save(head: SnapshotHead, chunks: readonly Buffer[]): Promise<void> {
    await this.ring.put(KS, INDEX_PK, indexSk(head), Buffer.from(String(head.seq)));
    for (let i = 0; i < chunks.length; i++) {
      await this.ring.put(KS, chunkPartition(head), chunkSk(i), chunks[i]!);
    }
    const current = await this.ring.getVersioned(KS, HEAD_PK);
    const seqs = current.values.map((v) => (JSON.parse(v.toString('utf8')) as SnapshotHead).seq);
    if (seqs.some((seq) => seq > head.seq)) return;
    await this.ring.putVersioned(
      KS,
      HEAD_PK,
      '',
      Buffer.from(JSON.stringify(head)),
      current.context,
    );
  }

  /** Deletes ring log entries at or below `seq`, oldest first. Returns how many. */
  async trimLog(seq: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const items = await this.ring.scan(KEYSPACES.stanchionLog, 'log', { limit: PAGE });
      const doomed = items.filter((item) => item.sk.readBigUInt64BE(0) <= BigInt(seq));
      // A page at a time, TRIM_PARALLEL deletes in flight: one at a time, the 9,000 entries
      // below a default snapshot took minutes on a loaded machine.
      for (let i = 0; i < doomed.length; i += TRIM_PARALLEL) {
        const some = doomed.slice(i, i + TRIM_PARALLEL);
        await Promise.all(some.map((d) => this.ring.delete(KEYSPACES.stanchionLog, 'log', d.sk)));
      }
      deleted += doomed.length;
      if (doomed.length < items.length || items.length < PAGE) return deleted;
    }
  }

  /**
   * Drops the chunks of every snapshot older than the head's (one being written beside it
   * by another stanchion is left alone). Returns how many snapshots.
   */
  async dropStale(head: SnapshotHead): Promise<number> {
    const items = await this.ring.scan(KS, INDEX_PK, { limit: PAGE });
    let dropped = 0;
    for (const item of items) {
      if (Number(item.value.toString('utf8')) >= head.seq) continue;
      const partition = item.sk.toString('utf8');
      // A few chunks a page: each may be a mebibyte.
      for (;;) {
        const chunks = await this.ring.scan(KS, partition, { limit: 8 });
        for (const chunk of chunks) await this.ring.delete(KS, partition, chunk.sk);
        if (chunks.length < 8) break;
      }
      await this.ring.delete(KS, INDEX_PK, item.sk);
      dropped++;
    }
    return dropped;
  }
}
