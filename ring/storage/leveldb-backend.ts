/**
 * KvBackend on LevelDB through classic-level. Keys and small values only: large object
 * blocks go to blob files (blob-store.ts) so that compaction never rewrites them.
 *
 * Point reads use classic-level's getSync on the main thread. An async get is a round trip
 * through the libuv thread pool (queue, wake a worker, wake the main thread again), which
 * profiles of 4 KiB PUTs and GETs showed costing more CPU than the read itself: here ~15 µs
 * of CPU per async get against 1–4 µs for getSync (memtable, block cache or page cache).
 * The price is that a read of a block that is in no cache blocks the event loop for one disk
 * read; the keys and small values kept in LevelDB are few and hot, so that is rare.
 * Writes (synced) and iterators stay asynchronous.
 */
import { ClassicLevel } from 'classic-level';
import type { KvBackend, KvOp, KvRange } from './kv-backend.js';

/** Opens (creating if needed) a LevelDB database in `dir`. */
export async function openLevelBackend(dir: string): Promise<KvBackend> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    createIfMissing: true,
  });
  await db.open();
  return {
    async get(key) {
      return db.getSync(key) ?? undefined;
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
