/**
 * Where each deleted-bucket collector leaves its progress on the ring: the pass under way
 * and its cursor (the checkpoint a restarted collector goes on from) and the last finished
 * pass, for `cairn-admin gc status`. The records sit in the cluster-settings keyspace under
 * 'bucket-gc', like GC's reports under 'gc' and lifecycle's under 'lifecycle'.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';

/** How far a pass has gone: the partition, the keyspace in it, the last partition key done. */
export interface BucketCollectCursor {
  partition: number;
  keyspace: string;
  /** The last partition key done, hex. */
  after?: string;
}

/** What a pass did. */
export interface BucketCollectCounts {
  /** Partitions walked to the end. */
  partitions: number;
  /** Partition keys seen (bucket ids, one per keyspace holding any record of it). */
  scanned: number;
  /** Partition keys of dead bucket ids whose records were collected. */
  collectedIds: number;
  /** Records removed (manifests, versions, uploads, settings, counters). */
  records: number;
  /** Ids neither live nor recorded deleted by stanchion: left alone. */
  unknown: number;
}

/** One collector's record. */
export interface BucketCollectProgress {
  workerId: string;
  /** The pass under way: when it started, where it is, what it did so far. */
  current?: { startedMs: number; cursor?: BucketCollectCursor; counts: BucketCollectCounts };
  lastPass?: { startedMs: number; finishedMs: number; counts: BucketCollectCounts };
  /** Partitions this collector owns (the denominator of its progress). */
  partitionsOwned?: number;
  reportedAtMs: number;
}

const PK = 'bucket-gc';
const WORKER_PREFIX = 'w/';

/** Zero counts. */
export function noCollectCounts(): BucketCollectCounts {
  return { partitions: 0, scanned: 0, collectedIds: 0, records: 0, unknown: 0 };
}

/** The progress records of the ring's deleted-bucket collectors. */
export class BucketCollectProgressStore {
  constructor(private readonly ring: RingClient) {}

  /** A collector's record, if it left one. */
  async read(workerId: string): Promise<BucketCollectProgress | undefined> {
    const value = await this.ring.get(KEYSPACES.clusterSettings, PK, WORKER_PREFIX + workerId);
    return value ? (JSON.parse(value.toString('utf8')) as BucketCollectProgress) : undefined;
  }

  /** Writes a collector's record (one writer per worker id: a plain put). */
  async write(progress: BucketCollectProgress): Promise<void> {
    const sk = WORKER_PREFIX + progress.workerId;
    await this.ring.put(KEYSPACES.clusterSettings, PK, sk, Buffer.from(JSON.stringify(progress)));
  }

  /** Every collector's record (at most 1000). */
  async all(): Promise<BucketCollectProgress[]> {
    const prefix = Buffer.from(WORKER_PREFIX);
    const items = await this.ring.scan(KEYSPACES.clusterSettings, PK, { prefix, limit: 1000 });
    return items.map((item) => JSON.parse(item.value.toString('utf8')) as BucketCollectProgress);
  }
}
