/**
 * KvBackend on LevelDB through classic-level. Keys and small values only: large object
 * blocks go to blob files (blob-store.ts) so that compaction never rewrites them.
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
      const value = await db.get(key);
      return value ?? undefined;
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
