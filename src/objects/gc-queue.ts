/**
 * The garbage-collection queue: an overwritten or deleted version's blocks are not removed
 * at once (a reader may be streaming them) but queued, durably on the ring, to be removed
 * once a leeway has passed. Entries are sharded so that many collectors can share the work.
 * A multipart object's parts are queued a thousand to an entry, so that deleting a
 * 10,000-part object costs ten queue writes, not ten thousand. An ended (completed or
 * aborted) upload is one entry too: when it is due, its parts that no version of the object
 * uses are collected, so that an Abort racing a Complete can never remove live data.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { keyVersionsPrefix } from './version-keys.js';
import { blockKey, decodeManifest, type ManifestPart, type PartIndex } from './manifest.js';
import { allParts, ringChunkReader } from './manifest-parts.js';
import { chunkCount, chunkKey } from './part-chunks.js';
import { decodePart } from './multipart.js';

/** Number of GC queue shards (partition keys of the gc keyspace): many more than nodes, so
 * that each storage node collects the shards it is primary for and throughput grows with
 * the cluster. */
export const GC_SHARDS = 64;

/** Block sets (version id, block count) per queue entry at most. */
const SETS_PER_ENTRY_MAX = 1000;

const SCAN_BATCH = 1000;

interface GcEntry {
  versionId: string;
  blockCount: number;
  dueMs: number;
  /** When it was queued (absent in entries queued before it was recorded). */
  queuedMs?: number;
  /** Further block sets: [version id, block count]. */
  more?: Array<[string, number]>;
  /** A version's part-list chunk records to remove too: [version id, chunk count]. */
  chunks?: [string, number];
  /** Set for an ended upload (versionId is then its upload id): where its object is. */
  endedUpload?: { bucketId: string; key: string };
}

/** What a dead version holds: its own blocks and, for a multipart object, its parts'. */
export interface DeadBlocks {
  versionId: string;
  blockCount: number;
  parts?: ReadonlyArray<Pick<ManifestPart, 'versionId' | 'blockCount'>> | undefined;
  /** The index of its part-list chunk records, when it has some. */
  partChunks?: PartIndex;
}

/** Queues and collects dead versions' blocks. */
export class GcQueue {
  private readonly leeway: () => number;

  constructor(
    private readonly ring: RingClient,
    /** How long a dead version's blocks stay readable, in ms (a function: it may change). */
    leewayMs: number | (() => number),
  ) {
    this.leeway = typeof leewayMs === 'number' ? () => leewayMs : leewayMs;
  }

  /** How long a dead version's blocks stay readable before they may be removed, in ms. */
  get leewayMs(): number {
    return this.leeway();
  }

  /** Queues a dead version's blocks (and its parts' blocks) for removal after the leeway. */
  async enqueue(dead: DeadBlocks, nowMs: number) {
    const sets: Array<[string, number]> = [];
    if (dead.blockCount > 0) sets.push([dead.versionId, dead.blockCount]);
    for (const part of dead.parts ?? []) {
      if (part.blockCount > 0) sets.push([part.versionId, part.blockCount]);
    }
    const chunks = dead.partChunks ? chunkCount(dead.partChunks) : 0;
    // Chunk records ride with the first entry (or one of their own when there is no block).
    if (sets.length === 0 && chunks > 0) sets.push([dead.versionId, 0]);
    for (let at = 0; at < sets.length; at += SETS_PER_ENTRY_MAX) {
      const batch = sets.slice(at, at + SETS_PER_ENTRY_MAX);
      const [versionId, blockCount] = batch[0]!;
      const entry: GcEntry = {
        versionId,
        blockCount,
        dueMs: nowMs + this.leewayMs,
        queuedMs: nowMs,
      };
      if (batch.length > 1) entry.more = batch.slice(1);
      if (at === 0 && chunks > 0) entry.chunks = [dead.versionId, chunks];
      await this.write(entry);
    }
  }

  /**
   * Queues an ended upload: once due, its part records are removed, and the blocks of every
   * part that no version of (bucketId, key) references.
   */
  async enqueueEndedUpload(
    upload: { uploadId: string; bucketId: string; key: string },
    nowMs: number,
  ) {
    const { uploadId: versionId, bucketId, key } = upload;
    const dueMs = nowMs + this.leewayMs;
    const endedUpload = { bucketId, key };
    await this.write({ versionId, blockCount: 0, dueMs, queuedMs: nowMs, endedUpload });
  }

  private async write(entry: GcEntry) {
    const sk = `${entry.dueMs.toString().padStart(15, '0')}:${entry.versionId}`;
    // Each entry's key is new (due time and version id), so there is no context to read.
    const value = Buffer.from(JSON.stringify(entry));
    await this.ring.putVersioned(KEYSPACES.gc, shardOf(entry.versionId), sk, value, {});
  }

  /**
   * Removes every due version's blocks in `shards` (default: all), up to `limit` entries;
   * returns how many entries it collected.
   */
  async collectDue(nowMs: number, limit = 1000, shards = allShards()): Promise<number> {
    let collected = 0;
    for (const shard of shards) {
      if (collected >= limit) break;
      const items = await this.ring.scan(KEYSPACES.gc, String(shard), { limit: limit - collected });
      for (const item of items) {
        const entry = JSON.parse(item.value.toString('utf8')) as GcEntry;
        if (entry.dueMs > nowMs) break;
        await this.collectEntry(entry, shard, item.sk);
        collected++;
      }
    }
    return collected;
  }

  /**
   * An operator's batch: walks every entry of `shards` and collects those `eligible` says
   * (by due time and queue time) until `stop` (told the count so far) says to; returns how
   * many it collected.
   */
  async collectWhere(
    eligible: (entry: { dueMs: number; queuedMs: number }) => boolean,
    stop: (collected: number) => boolean,
    shards = allShards(),
  ): Promise<number> {
    let collected = 0;
    for (const shard of shards) {
      let after: Buffer | undefined;
      for (;;) {
        if (stop(collected)) return collected;
        const page = { ...(after ? { after } : {}), limit: SCAN_BATCH };
        const items = await this.ring.scan(KEYSPACES.gc, String(shard), page);
        for (const item of items) {
          const entry = JSON.parse(item.value.toString('utf8')) as GcEntry;
          const queuedMs = entry.queuedMs ?? entry.dueMs - this.leewayMs;
          if (!eligible({ dueMs: entry.dueMs, queuedMs }) || stop(collected)) continue;
          await this.collectEntry(entry, shard, item.sk);
          collected++;
        }
        if (items.length < SCAN_BATCH) break;
        after = items.at(-1)!.sk;
      }
    }
    return collected;
  }

  private async collectEntry(entry: GcEntry, shard: number, sk: Buffer) {
    if (entry.endedUpload) await this.collectUpload(entry.versionId, entry.endedUpload);
    else await this.removeBlocks([[entry.versionId, entry.blockCount], ...(entry.more ?? [])]);
    if (entry.chunks) await this.removeChunks(...entry.chunks);
    await this.ring.delete(KEYSPACES.gc, String(shard), sk);
  }

  /** The backlog of `shards` (default: all): entries due now and pending (due later). */
  async status(nowMs: number, shards = allShards()): Promise<GcStatus> {
    const status: GcStatus = { due: 0, pending: 0, blockSetsDue: 0, shards: shards.length };
    for await (const entry of this.entries(shards)) {
      const sets = entry.endedUpload ? 0 : 1 + (entry.more?.length ?? 0);
      const queuedMs = entry.queuedMs ?? entry.dueMs - this.leewayMs;
      status.oldestQueuedMs = Math.min(status.oldestQueuedMs ?? queuedMs, queuedMs);
      if (entry.dueMs <= nowMs) {
        status.due++;
        status.blockSetsDue += sets;
        status.oldestDueMs = Math.min(status.oldestDueMs ?? entry.dueMs, entry.dueMs);
      } else status.pending++;
    }
    return status;
  }

  /**
   * Every version (and upload) id the queue's `shards` (default: all) still hold: the
   * sweeper leaves them to GC.
   */
  async *queuedVersionIds(shards = allShards()): AsyncGenerator<string> {
    for await (const entry of this.entries(shards)) {
      yield entry.versionId;
      for (const [versionId] of entry.more ?? []) yield versionId;
      if (entry.chunks) yield entry.chunks[0];
    }
  }

  private async *entries(shards = allShards()): AsyncGenerator<GcEntry> {
    for (const shard of shards) {
      let after: Buffer | undefined;
      for (;;) {
        const page = { ...(after ? { after } : {}), limit: SCAN_BATCH };
        const items = await this.ring.scan(KEYSPACES.gc, String(shard), page);
        for (const item of items) yield JSON.parse(item.value.toString('utf8')) as GcEntry;
        if (items.length < SCAN_BATCH) break;
        after = items.at(-1)!.sk;
      }
    }
  }

  private async removeBlocks(sets: Array<[string, number]>) {
    for (const [versionId, blockCount] of sets) {
      for (let n = 0; n < blockCount; n++) {
        await this.ring.delete(KEYSPACES.blocks, blockKey(versionId, n));
      }
    }
  }

  private async removeChunks(versionId: string, count: number) {
    for (let n = 0; n < count; n++) {
      await this.ring.delete(KEYSPACES.manifestParts, chunkKey(versionId, n));
    }
  }

  /** Version records of the key made from upload `uploadId` (see version-keys.ts). */
  private async uploadVersions(object: { bucketId: string; key: string }, uploadId: string) {
    const found: Buffer[] = [];
    const prefix = keyVersionsPrefix(object.key);
    let after: Buffer | undefined;
    for (;;) {
      const options = { prefix, limit: SCAN_BATCH, ...(after ? { after } : {}) };
      const items = await this.ring.scan(KEYSPACES.objectVersions, object.bucketId, options);
      for (const item of items) {
        if (decodeManifest(item.value).uploadId === uploadId) found.push(item.value);
      }
      if (items.length < SCAN_BATCH) return found;
      after = items.at(-1)!.sk;
    }
  }

  private async collectUpload(uploadId: string, object: { bucketId: string; key: string }) {
    const live = new Set<string>();
    const current = await this.ring.getVersioned(KEYSPACES.manifests, object.bucketId, object.key);
    const read = ringChunkReader(this.ring);
    // A versioned bucket's object made from this upload may no longer be current.
    const versions = await this.uploadVersions(object, uploadId);
    for (const value of [...current.values, ...versions]) {
      const parts = await allParts(decodeManifest(value), read);
      for (const part of parts ?? []) live.add(part.versionId);
    }
    for (;;) {
      const items = await this.ring.scan(KEYSPACES.parts, uploadId, { limit: SCAN_BATCH });
      for (const item of items) {
        const part = decodePart(item.value);
        if (!live.has(part.versionId)) await this.removeBlocks([[part.versionId, part.blockCount]]);
        await this.ring.delete(KEYSPACES.parts, uploadId, item.sk);
      }
      if (items.length < SCAN_BATCH) return;
    }
  }
}

/** What `cairn-admin gc status` shows. */
export interface GcStatus {
  /** Entries whose leeway has passed, not yet collected. */
  due: number;
  /** Entries still within their leeway. */
  pending: number;
  /** Block sets (versions or parts) in the due entries. */
  blockSetsDue: number;
  oldestDueMs?: number;
  /** When the oldest entry, due or not, was queued (Riak CS's earliest GC key). */
  oldestQueuedMs?: number;
  shards: number;
}

/** Shard numbers 0..GC_SHARDS-1. */
export function allShards(): number[] {
  return [...Array(GC_SHARDS).keys()];
}

function shardOf(versionId: string): string {
  let h = 0;
  for (const c of versionId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return String(h % GC_SHARDS);
}
