/**
 * The deleted-bucket collector: removes what is left under a deleted bucket's id (objects
 * whose PUT raced the delete, versions, uploads left open and their parts, settings, usage
 * counters), so that deletes leak nothing. It walks the partition keys of every keyspace
 * keyed by bucket id in the ring partitions it owns (in a cluster, those its node is primary
 * for; embedded, all), so the work is split across the nodes and each record is looked at
 * by one collector. A key is collected only if DeadBucketIds says stanchion recorded the
 * id deleted; blocks and parts go through the GC queue (leeway and all), exactly as a
 * client's delete or abort would send them. It must never remove anything under a live or
 * unknown id. A pass runs every --gc-bucket-interval, checkpoints after every page (a restarted
 * collector goes on where it stopped) and is held to a rate of records a second.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import {
  noCollectCounts,
  type BucketCollectCursor,
  type BucketCollectProgress,
  type BucketCollectProgressStore,
} from './bucket-collector-progress.js';
import { deleteBucketSettings } from './bucket-settings.js';
import { DeadBucketIds } from './dead-bucket-ids.js';
import { uploadSortKey } from './multipart.js';
import type { MultipartStore } from './multipart-store.js';
import type { ObjectStore } from './object-store.js';

/** The keyspaces whose partition key is a bucket id, in the order a partition is walked. */
export const BUCKET_ID_KEYSPACES: readonly string[] = [
  KEYSPACES.manifests,
  KEYSPACES.objectVersions,
  KEYSPACES.uploads,
  KEYSPACES.bucketSettings,
  KEYSPACES.usageCounters,
];

const PAGE = 100;

/** What a collector needs. */
export interface BucketCollectorOptions {
  workerId: string;
  ring: RingClient;
  objects: ObjectStore;
  multipart: MultipartStore;
  progress: BucketCollectProgressStore;
  /** The ring partitions this collector walks (undefined: all). */
  partitions: () => number[] | undefined;
  /** Time between passes, in ms (Infinity: none; a function: the operator may change it). */
  intervalMs: number | (() => number);
  /** Records removed per second at most. */
  ratePerSecond: number;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  log: (message: string, error?: unknown) => void;
  /** How often the collector looks at the clock, in ms (default 1000). */
  tickMs?: number;
}

/** A clock-driven collector of deleted buckets' records; see the file comment. */
export class BucketCollector {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private state: BucketCollectProgress;
  private window = { startMs: 0, records: 0 };

  constructor(private readonly options: BucketCollectorOptions) {
    this.state = { workerId: options.workerId, reportedAtMs: 0 };
  }

  /** This collector's progress as last recorded. */
  get progress(): BucketCollectProgress {
    return this.state;
  }

  /** Reads the checkpoint an earlier run left, then starts the tick (unref'd). */
  async start(): Promise<void> {
    try {
      this.state = (await this.options.progress.read(this.options.workerId)) ?? this.state;
    } catch (error) {
      this.options.log('bucket gc: checkpoint unreadable', error);
    }
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    this.tick();
  }

  /** Stops the tick; a pass under way stops after its page. Resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopped || !this.due()) return;
    this.running = this.runPass().finally(() => (this.running = undefined));
  }

  private due(): boolean {
    if (this.state.current) return true;
    const lastStartMs = this.state.lastPass?.startedMs ?? -Infinity;
    const { intervalMs } = this.options;
    const interval = typeof intervalMs === 'number' ? intervalMs : intervalMs();
    return this.options.clock() - lastStartMs >= interval;
  }

  /** Runs (or resumes) a pass now; resolves when it is done or stopped. */
  async runPass(): Promise<void> {
    const { clock, ring } = this.options;
    this.state.current ??= { startedMs: clock(), counts: noCollectCounts() };
    const current = this.state.current;
    try {
      const ids = await DeadBucketIds.load(ring);
      const partitions = this.options.partitions() ?? [...Array(ring.partitionCount).keys()];
      this.state.partitionsOwned = partitions.length;
      this.window = { startMs: clock(), records: 0 };
      const from = current.cursor;
      for (const partition of partitions.filter((p) => !from || p >= from.partition)) {
        const cursor = from?.partition === partition ? from : undefined;
        if (!(await this.walkPartition(ids, partition, cursor))) return;
        current.counts.partitions++;
      }
      this.state = {
        workerId: this.options.workerId,
        lastPass: { startedMs: current.startedMs, finishedMs: clock(), counts: current.counts },
        partitionsOwned: partitions.length,
        reportedAtMs: clock(),
      };
      await this.options.progress.write(this.state);
    } catch (error) {
      this.options.log('bucket gc pass failed (it goes on from its checkpoint)', error);
    }
  }

  /** One partition's bucket-id keyspaces from `cursor`; false if stopped. */
  private async walkPartition(
    ids: DeadBucketIds,
    partition: number,
    cursor: BucketCollectCursor | undefined,
  ): Promise<boolean> {
    const start = cursor ? Math.max(0, BUCKET_ID_KEYSPACES.indexOf(cursor.keyspace)) : 0;
    for (const keyspace of BUCKET_ID_KEYSPACES.slice(start)) {
      const resume = cursor?.keyspace === keyspace ? cursor.after : undefined;
      let after: Buffer | undefined = resume ? Buffer.from(resume, 'hex') : undefined;
      for (;;) {
        if (this.stopped) return false;
        const page = await this.options.ring.partitionKeys(keyspace, partition, {
          ...(after ? { after } : {}),
          limit: PAGE,
        });
        for (const pk of page.keys) await this.visit(ids, keyspace, pk.toString('utf8'));
        if (!page.next) break;
        const next: Buffer = page.next;
        after = next;
        await this.checkpoint({ partition, keyspace, after: next.toString('hex') });
      }
    }
    await this.checkpoint({ partition: partition + 1, keyspace: BUCKET_ID_KEYSPACES[0]! });
    return true;
  }

  private async visit(ids: DeadBucketIds, keyspace: string, pk: string): Promise<void> {
    const counts = this.state.current!.counts;
    counts.scanned++;
    const state = await ids.stateOf(bucketIdOf(pk));
    if (state === 'unknown') counts.unknown++;
    if (state !== 'dead') return;
    const records = await this.collect(keyspace, pk);
    if (records > 0) counts.collectedIds++;
    counts.records += records;
    await this.limitRate(records);
  }

  /** Removes the records of `keyspace` under `pk` (a dead bucket's); returns how many. */
  private async collect(keyspace: string, pk: string): Promise<number> {
    const { objects, multipart, ring } = this.options;
    switch (keyspace) {
      case KEYSPACES.manifests:
      case KEYSPACES.objectVersions:
        // Both through the object store: blocks go to GC as a client's delete sends them.
        return objects.sweepBucket(pk);
      case KEYSPACES.uploads:
        return collectUploads(multipart, pk);
      case KEYSPACES.bucketSettings: {
        const had = await ring.get(KEYSPACES.bucketSettings, pk);
        await deleteBucketSettings(ring, pk);
        return had ? 1 : 0;
      }
      default:
        return collectAll(ring, keyspace, pk);
    }
  }

  private async checkpoint(cursor: BucketCollectCursor): Promise<void> {
    this.state.current!.cursor = cursor;
    this.state.reportedAtMs = this.options.clock();
    await this.options.progress.write(this.state);
  }

  /** Waits so that records removed since the window opened take n / rate seconds at least. */
  private async limitRate(records: number): Promise<void> {
    const { clock, sleep, ratePerSecond } = this.options;
    this.window.records += records;
    const waitMs = this.window.startMs + (this.window.records * 1000) / ratePerSecond - clock();
    if (waitMs > 0) await sleep(waitMs);
    else if (waitMs < -1000) this.window = { startMs: clock(), records: 0 };
  }
}

/**
 * The bucket id a partition key belongs to: the key itself, or what comes before its '/'
 * (usage counters keep a versioned bucket's noncurrent totals under 'id/noncurrent').
 */
export function bucketIdOf(pk: string): string {
  const slash = pk.indexOf('/');
  return slash < 0 ? pk : pk.slice(0, slash);
}

/** Aborts every upload of `bucketId` (its parts go to GC); returns how many. */
async function collectUploads(multipart: MultipartStore, bucketId: string): Promise<number> {
  let removed = 0;
  let after: Buffer | undefined;
  for (;;) {
    const uploads = await multipart.scanUploads(bucketId, {
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const upload of uploads) await multipart.abort(upload);
    removed += uploads.length;
    if (uploads.length < PAGE) return removed;
    const last = uploads.at(-1)!;
    after = Buffer.from(uploadSortKey(last.key, last.uploadId), 'utf8');
  }
}

/** Removes every record under `pk` in `keyspace`; returns how many. */
async function collectAll(ring: RingClient, keyspace: string, pk: string): Promise<number> {
  let removed = 0;
  let after: Buffer | undefined;
  for (;;) {
    const items = await ring.scan(keyspace, pk, { limit: PAGE, ...(after ? { after } : {}) });
    for (const item of items) await ring.delete(keyspace, pk, item.sk);
    removed += items.length;
    if (items.length < PAGE) return removed;
    after = items.at(-1)!.sk;
  }
}
