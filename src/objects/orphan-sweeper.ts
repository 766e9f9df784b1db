/**
 * The orphan sweeper: finds blocks that no manifest, part or GC entry references (a front
 * end killed mid-upload leaves such blocks, with nothing queued to collect them) and removes
 * them once they are older than the GC leeway.
 *
 * Mark: walk every user's buckets, their manifests (and part-list chunks), their uploads in
 * progress and the GC queue, putting each live version id in a Bloom filter. Sweep: walk
 * the block keys of the given ring partitions (each key once, at its primary) and remove a
 * block whose version id is certainly not in the filter and was created (its UUIDv7 time)
 * more than the leeway before the mark began. Part-list chunk records (keyed like blocks)
 * are swept the same way. A version created earlier and committed after the mark scanned
 * its bucket would have to have been uploading for longer than the leeway (24 h by default).
 *
 * In a cluster the mark is split (`split`, orphan-mark.ts): each node marks the buckets and
 * GC shards it owns, publishes its filter and sweeps with every node's merged, only once
 * they cover the whole ring; the cutoff is then the leeway before the oldest merged mark.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import { listUserBuckets, listUsers } from '../../stanchion/reader.js';
import { BloomFilter } from './bloom-filter.js';
import { GC_SHARDS, type GcQueue } from './gc-queue.js';
import { uuidV7TimeMs } from './ids.js';
import { decodeManifest } from './manifest.js';
import { allParts, ringChunkReader } from './manifest-parts.js';
import { decodePart, decodeUpload } from './multipart.js';
import { coveringMarks, OrphanMarkStore, type MarkHeader } from './orphan-mark.js';

const PAGE = 1000;

/** What one pass found. */
export interface SweepReport {
  startedAtMs: number;
  finishedAtMs: number;
  liveVersions: number;
  blocksScanned: number;
  blocksRemoved: number;
  /** Part-list chunk records walked. */
  partChunksScanned: number;
  /** Part-list chunk records of versions no manifest holds (a Complete that crashed). */
  partChunksRemoved: number;
  partitions: number;
  /** Buckets this pass's own mark walked (all of them, unless the mark is split). */
  bucketsMarked: number;
  /** Split marks merged (0: the mark was not split). */
  marksMerged: number;
  /** False when split marks did not cover the ring: nothing was swept. */
  markComplete: boolean;
}

/** How a cluster's collector splits the mark; see the file comment. */
export interface MarkSplit {
  workerId: string;
  /** The ring partitions this collector is primary for now. */
  ownedPartitions: () => number[];
  ownsShard: (shard: number) => boolean;
  newId: () => string;
  /** Marks started longer ago are not merged, in ms (default 7 days). */
  markMaxAgeMs?: number;
}

/** One collector's mark: the filter and what it covers. */
interface OwnMark {
  live: BloomFilter;
  buckets: number;
  partitions?: number[];
  shards?: number[];
}

const WEEK_MS = 7 * 86_400_000;

/** Marks live versions and sweeps orphan blocks. */
export class OrphanSweeper {
  constructor(
    private readonly ring: RingClient,
    private readonly gc: GcQueue,
    private readonly options: { leewayMs: number; expectedVersions?: number; split?: MarkSplit },
    private readonly clock: () => number,
  ) {}

  /** One mark and sweep over `partitions` (default: every partition). */
  async run(partitions?: readonly number[]): Promise<SweepReport> {
    const startedAtMs = this.clock();
    const split = this.options.split;
    const own = split ? await this.markOwn(split) : { live: await this.mark(), buckets: -1 };
    const merged = split ? await this.merge(split, own, startedAtMs) : undefined;
    const marked = { bucketsMarked: own.buckets, marksMerged: merged?.count ?? 0 };
    if (split && !merged) return this.emptyReport(startedAtMs, own, marked);
    const live = own.live;
    const walk = partitions ?? [...Array(this.ring.partitionCount).keys()];
    const cutoffMs = (merged?.oldestMs ?? startedAtMs) - this.options.leewayMs;
    let blocksScanned = 0;
    let blocksRemoved = 0;
    let partChunksScanned = 0;
    let partChunksRemoved = 0;
    for (const partition of walk) {
      const counts = await this.sweepPartition(KEYSPACES.blocks, partition, live, cutoffMs);
      blocksScanned += counts.scanned;
      blocksRemoved += counts.removed;
      const chunks = await this.sweepPartition(KEYSPACES.manifestParts, partition, live, cutoffMs);
      partChunksScanned += chunks.scanned;
      partChunksRemoved += chunks.removed;
    }
    return {
      startedAtMs,
      finishedAtMs: this.clock(),
      liveVersions: live.size,
      blocksScanned,
      blocksRemoved,
      partChunksScanned,
      partChunksRemoved,
      partitions: walk.length,
      ...marked,
      markComplete: true,
    };
  }

  private emptyReport(
    startedAtMs: number,
    own: OwnMark,
    marked: { bucketsMarked: number; marksMerged: number },
  ): SweepReport {
    const zero = { blocksScanned: 0, blocksRemoved: 0, partChunksScanned: 0 };
    return {
      startedAtMs,
      finishedAtMs: this.clock(),
      liveVersions: own.live.size,
      ...zero,
      partChunksRemoved: 0,
      partitions: 0,
      ...marked,
      markComplete: false,
    };
  }

  /** Marks what `split` owns and publishes it. */
  private async markOwn(split: MarkSplit): Promise<OwnMark> {
    const startedAtMs = this.clock();
    const partitionCount = this.ring.partitionCount;
    const partitions = split.ownedPartitions();
    const owned = new Set(partitions);
    const shards = [...Array(GC_SHARDS).keys()].filter(split.ownsShard);
    const ownsBucket = (bucketId: string) =>
      owned.has(partitionOf(ringIndex(KEYSPACES.manifests, bucketId), partitionCount));
    const counted = { buckets: 0 };
    const live = await this.mark({ ownsBucket, shards, counted });
    const header = { workerId: split.workerId, markId: split.newId(), startedAtMs, partitionCount };
    const work = { buckets: counted.buckets, versions: live.size };
    await new OrphanMarkStore(this.ring).publish(
      { ...header, partitions, shards, ...work },
      live.bytes,
    );
    return { live, buckets: counted.buckets, partitions, shards };
  }

  /** Merges every covering mark into `own`; undefined when they do not cover the ring. */
  private async merge(split: MarkSplit, own: OwnMark, startedAtMs: number) {
    const store = new OrphanMarkStore(this.ring);
    const oldestMs = startedAtMs - (split.markMaxAgeMs ?? WEEK_MS);
    const headers = await store.headers();
    const others = headers.filter((h) => h.workerId !== split.workerId);
    const mine = { workerId: split.workerId, startedAtMs, partitions: own.partitions! };
    const partitionCount = this.ring.partitionCount;
    const all = [...others, { ...mine, shards: own.shards!, partitionCount } as MarkHeader];
    const covering = coveringMarks(all, this.ring.partitionCount, GC_SHARDS, oldestMs);
    if (!covering) return undefined;
    let oldest = startedAtMs;
    let count = 1;
    for (const header of covering.filter((h) => h.workerId !== split.workerId)) {
      const bits = await store.bits(header);
      if (!bits || bits.length !== own.live.bytes.length) return undefined;
      own.live.merge(bits);
      oldest = Math.min(oldest, header.startedAtMs);
      count++;
    }
    return { oldestMs: oldest, count };
  }

  /**
   * Every version id a reader or the GC queue may still need; with `only`, those of the
   * buckets and GC shards it names (counting the buckets walked).
   */
  async mark(only?: {
    ownsBucket: (bucketId: string) => boolean;
    shards: number[];
    counted: { buckets: number };
  }): Promise<BloomFilter> {
    const live = new BloomFilter(this.options.expectedVersions ?? 1_000_000);
    for await (const versionId of this.gc.queuedVersionIds(only?.shards)) live.add(versionId);
    let afterKey: string | undefined;
    for (;;) {
      const users = await listUsers(this.ring, afterKey, PAGE);
      for (const user of users) {
        for (const bucket of await listUserBuckets(this.ring, user.id)) {
          if (only && !only.ownsBucket(bucket.id)) continue;
          if (only) only.counted.buckets++;
          await this.markBucket(bucket.id, live);
        }
      }
      if (users.length < PAGE) return live;
      afterKey = users.at(-1)!.keyId;
    }
  }

  private async markBucket(bucketId: string, live: BloomFilter): Promise<void> {
    // Every version of a versioned bucket holds blocks, not only the current one.
    for (const keyspace of [KEYSPACES.manifests, KEYSPACES.objectVersions]) {
      for await (const value of this.walk(keyspace, bucketId)) {
        const manifest = decodeManifest(value);
        live.add(manifest.versionId);
        const parts = await allParts(manifest, ringChunkReader(this.ring));
        for (const part of parts ?? []) live.add(part.versionId);
      }
    }
    for await (const value of this.walk(KEYSPACES.uploads, bucketId)) {
      const upload = decodeUpload(value);
      for await (const part of this.walk(KEYSPACES.parts, upload.uploadId)) {
        live.add(decodePart(part).versionId);
      }
    }
  }

  private async *walk(keyspace: string, pk: string): AsyncGenerator<Buffer> {
    let after: Buffer | undefined;
    for (;;) {
      const items = await this.ring.scan(keyspace, pk, {
        ...(after ? { after } : {}),
        limit: PAGE,
      });
      for (const item of items) yield item.value;
      if (items.length < PAGE) return;
      after = items.at(-1)!.sk;
    }
  }

  /** Removes the orphan records of `keyspace` (blocks or chunks: keys are version id:n). */
  private async sweepPartition(
    keyspace: string,
    partition: number,
    live: BloomFilter,
    cutoffMs: number,
  ) {
    let scanned = 0;
    let removed = 0;
    let after: Buffer | undefined;
    for (;;) {
      const page = await this.ring.partitionKeys(keyspace, partition, {
        ...(after ? { after } : {}),
        limit: PAGE,
      });
      for (const pk of page.keys) {
        scanned++;
        const key = pk.toString('utf8');
        const versionId = key.slice(0, key.lastIndexOf(':'));
        const createdMs = uuidV7TimeMs(versionId);
        // Ids without a time (made before version ids were UUIDv7) are never swept.
        if (createdMs === undefined || createdMs >= cutoffMs || live.has(versionId)) continue;
        await this.ring.delete(keyspace, key);
        removed++;
      }
      if (!page.next) return { scanned, removed };
      after = page.next;
    }
  }
}
