/**
 * The garbage-collection queue: an overwritten or deleted version's blocks are not removed
 * at once (a reader may be streaming them) but queued, durably on the ring, to be removed
 * once a leeway has passed. Entries are sharded so that many collectors can share the work.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { blockKey, type Manifest } from './manifest.js';

/** Number of GC queue shards (partition keys of the gc keyspace). */
export const GC_SHARDS = 16;

interface GcEntry {
  versionId: string;
  blockCount: number;
  dueMs: number;
}

/** Queues and collects dead versions' blocks. */
export class GcQueue {
  constructor(
    private readonly ring: RingClient,
    private readonly leewayMs: number,
  ) {}

  /** Queues a dead version's blocks for removal after the leeway. */
  async enqueue(manifest: Pick<Manifest, 'versionId' | 'blockCount'>, nowMs: number) {
    if (manifest.blockCount === 0) return;
    const entry: GcEntry = {
      versionId: manifest.versionId,
      blockCount: manifest.blockCount,
      dueMs: nowMs + this.leewayMs,
    };
    const sk = `${entry.dueMs.toString().padStart(15, '0')}:${entry.versionId}`;
    // Each entry's key is new (due time and version id), so there is no context to read.
    const value = Buffer.from(JSON.stringify(entry));
    await this.ring.putVersioned(KEYSPACES.gc, shardOf(entry.versionId), sk, value, {});
  }

  /** Removes every due version's blocks, up to `limit` versions; returns how many. */
  async collectDue(nowMs: number, limit = 1000): Promise<number> {
    let collected = 0;
    for (let shard = 0; shard < GC_SHARDS && collected < limit; shard++) {
      const items = await this.ring.scan(KEYSPACES.gc, String(shard), { limit: limit - collected });
      for (const item of items) {
        const entry = JSON.parse(item.value.toString('utf8')) as GcEntry;
        if (entry.dueMs > nowMs) break;
        for (let n = 0; n < entry.blockCount; n++) {
          await this.ring.delete(KEYSPACES.blocks, blockKey(entry.versionId, n));
        }
        await this.ring.delete(KEYSPACES.gc, String(shard), item.sk);
        collected++;
      }
    }
    return collected;
  }
}

function shardOf(versionId: string): string {
  let h = 0;
  for (const c of versionId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return String(h % GC_SHARDS);
}
