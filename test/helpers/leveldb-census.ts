/**
 * What a stopped storage node's LevelDB holds, by keyspace: the key count and the key and
 * value bytes of every item (tombstones not yet reaped included, and counted apart), and
 * the partition keys of live items. Tests that check what deletes leave behind compare
 * these rather than file sizes: LevelDB's files shrink only when a compaction runs, the
 * census does not depend on when.
 */
import { ClassicLevel } from 'classic-level';
import { join } from 'node:path';
import { isVersioned } from '../../ring/keyspaces.js';
import { parseItemKey } from '../../ring/storage/item-key.js';
import { decodeVersioned } from '../../ring/transport/versioned-codec.js';

/** One keyspace's share of a node's LevelDB. */
export interface KeyspaceCensus {
  keys: number;
  /** Keys whose every sibling is a tombstone (not reaped yet). */
  tombstones: number;
  bytes: number;
  pks: Set<string>;
}

/** Keyspace → census, for the node whose data dir is `dataDir` (it must be stopped). */
export async function leveldbCensus(dataDir: string): Promise<Map<string, KeyspaceCensus>> {
  const db = new ClassicLevel<Buffer, Buffer>(join(dataDir, 'leveldb'), {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  await openWhenFree(db);
  const census = new Map<string, KeyspaceCensus>();
  try {
    for await (const [key, value] of db.iterator()) {
      const item = itemOf(key);
      const name = item?.keyspace ?? '(node records)';
      const entry = census.get(name) ?? { keys: 0, tombstones: 0, bytes: 0, pks: new Set() };
      entry.keys++;
      entry.bytes += key.length + value.length;
      if (item && isTombstone(name, value)) entry.tombstones++;
      else if (item) entry.pks.add(item.pk.toString('utf8'));
      census.set(name, entry);
    }
    // Compacted, the files hold only what the census counted: their size is then honest.
    await db.compactRange(Buffer.alloc(0), Buffer.alloc(64, 0xff));
  } finally {
    await db.close();
  }
  return census;
}

/** Opens `db`, retrying for a few seconds while a killed node's lock is let go. */
async function openWhenFree(db: ClassicLevel<Buffer, Buffer>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.open();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      if (attempt >= 50 || cause?.code !== 'LEVEL_LOCKED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Whether a stored entry is a versioned item with only tombstones (tag 0: inline). */
function isTombstone(keyspace: string, stored: Buffer): boolean {
  if (!isVersioned(keyspace) || stored[0] !== 0) return false;
  return decodeVersioned(stored.subarray(1)).siblings.every((s) => s.value === null);
}

/** An item key's parts; undefined for the node's own records (its epoch, AAE markers). */
function itemOf(key: Buffer) {
  try {
    return parseItemKey(key);
  } catch {
    return undefined;
  }
}
