/**
 * A split mark for the orphan sweeper: each collector marks only the buckets whose manifests'
 * partition it is primary for and the GC shards it owns, and leaves its Bloom filter on the
 * ring; before sweeping, a collector merges every collector's filter. It sweeps only when
 * the filters together cover every partition and every shard, so a bucket nobody marked
 * (a node down, ownership moving) can never make its blocks look like orphans: the pass
 * then sweeps nothing. Records sit in the cluster-settings keyspace: a header per worker
 * under 'orphan-mark', its filter in chunks under 'orphan-mark/<worker>/<mark id>' (a new
 * mark's chunks are written before its header, and the old ones removed after).
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';

/** One collector's published mark. */
export interface MarkHeader {
  workerId: string;
  markId: string;
  startedAtMs: number;
  partitionCount: number;
  /** Partitions whose buckets (by their manifests' partition) this mark covers. */
  partitions: number[];
  /** GC shards this mark covers. */
  shards: number[];
  chunks: number;
  bytes: number;
  /** Buckets and versions this collector marked: its share of the work. */
  buckets: number;
  versions: number;
}

const PK = 'orphan-mark';
const CHUNK_BYTES = 256 * 1024;

const chunkPk = (workerId: string, markId: string) => `${PK}/${workerId}/${markId}`;

/** Reads and writes the published marks. */
export class OrphanMarkStore {
  constructor(private readonly ring: RingClient) {}

  /** Publishes `bits` as `header`'s mark (chunks, then the header), then drops the old one. */
  async publish(header: Omit<MarkHeader, 'chunks' | 'bytes'>, bits: Uint8Array): Promise<void> {
    const { clusterSettings } = KEYSPACES;
    const chunks = Math.ceil(bits.length / CHUNK_BYTES);
    const pk = chunkPk(header.workerId, header.markId);
    for (let n = 0; n < chunks; n++) {
      const chunk = Buffer.from(bits.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES));
      await this.ring.put(clusterSettings, pk, String(n), chunk);
    }
    const previous = await this.header(header.workerId);
    const full: MarkHeader = { ...header, chunks, bytes: bits.length };
    await this.ring.put(clusterSettings, PK, header.workerId, Buffer.from(JSON.stringify(full)));
    if (previous && previous.markId !== header.markId) {
      const old = chunkPk(previous.workerId, previous.markId);
      for (let n = 0; n < previous.chunks; n++)
        await this.ring.delete(clusterSettings, old, String(n));
    }
  }

  /** A worker's header, if any. */
  async header(workerId: string): Promise<MarkHeader | undefined> {
    const value = await this.ring.get(KEYSPACES.clusterSettings, PK, workerId);
    return value ? (JSON.parse(value.toString('utf8')) as MarkHeader) : undefined;
  }

  /** Every worker's header (at most 1000). */
  async headers(): Promise<MarkHeader[]> {
    const items = await this.ring.scan(KEYSPACES.clusterSettings, PK, { limit: 1000 });
    return items.map((item) => JSON.parse(item.value.toString('utf8')) as MarkHeader);
  }

  /** A mark's bits; undefined if a chunk is gone (a newer mark replaced it meanwhile). */
  async bits(header: MarkHeader): Promise<Uint8Array | undefined> {
    const bits = new Uint8Array(header.bytes);
    const pk = chunkPk(header.workerId, header.markId);
    for (let n = 0; n < header.chunks; n++) {
      const chunk = await this.ring.get(KEYSPACES.clusterSettings, pk, String(n));
      if (!chunk) return undefined;
      bits.set(chunk, n * CHUNK_BYTES);
    }
    return bits;
  }
}

/**
 * The headers to merge: those of this ring's partition count, started within `maxAgeMs`;
 * undefined unless together they cover every partition and every one of `shardCount` shards.
 */
export function coveringMarks(
  headers: readonly MarkHeader[],
  partitionCount: number,
  shardCount: number,
  oldestMs: number,
): MarkHeader[] | undefined {
  const usable = headers.filter(
    (h) => h.partitionCount === partitionCount && h.startedAtMs >= oldestMs,
  );
  const partitions = new Set(usable.flatMap((h) => h.partitions));
  const shards = new Set(usable.flatMap((h) => h.shards));
  return partitions.size === partitionCount && shards.size === shardCount ? usable : undefined;
}
