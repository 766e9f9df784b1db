/**
 * KvBackend on LevelDB through classic-level. Keys and small values only: large object
 * blocks go to blob files (blob-store.ts) so that compaction never rewrites them.
 *
 * Point reads use classic-level's getSync on the main thread. An async get is a round trip
 * through the libuv thread pool (queue, wake a worker, wake the main thread again), which
 * profiles of 4 KiB PUTs and GETs showed costing more CPU than the read itself: here ~15 µs
 * of CPU per async get against 1–4 µs for getSync (memtable, block cache or page cache).
 * The price is that a read of a block that is in no cache blocks the event loop for one disk
 * read; the keys and small values kept in LevelDB are few and hot, so that is rare. On a
 * heavily oversubscribed machine (load 35-50 on 2 cores) the whole bench showed the opposite
 * (GET CPU per op up, not down; BENCHMARKS.md, Storage hot path): `syncReads: false` brings
 * back the thread-pool reads to compare on a quiet one. Writes and iterators stay async.
 */
import { ClassicLevel } from 'classic-level';
import type { KvBackend, KvOp, KvRange } from './kv-backend.js';

/** Options of {@link openLevelBackend}. */
export interface LevelBackendOptions {
  /** Point reads with getSync on the calling thread (default) or through the thread pool. */
  syncReads?: boolean;
}

/** Opens (creating if needed) a LevelDB database in `dir`. */
export async function openLevelBackend(
  dir: string,
  options: LevelBackendOptions = {},
): Promise<KvBackend> {
  const syncReads = options.syncReads ?? true;
  const db = new ClassicLevel<Buffer, Buffer>(dir, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    createIfMissing: true,
  });
  await db.open();
  return {
    async get(key) {
      return (syncReads ? db.getSync(key) : await db.get(key)) ?? undefined;
    },
    async write(ops: readonly KvOp[], options) {
      if (ops.length === 0) return;
      await db.batch(ops as KvOp[], { sync: options.sync });
    },
    async range(range: KvRange) {
      const entries: Array<[Buffer, Buffer]> = [];
      for await (const [key, value] of db.iterator({ ...range })) entries.push([key, value]);
      return entries;
    },
    close: () => db.close(),
  };
}
