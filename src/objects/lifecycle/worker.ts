/**
 * The lifecycle worker. Like the GC worker it runs where GC runs: in the embedded store it
 * owns every bucket; in a cluster each storage node owns the buckets whose manifests'
 * partition it is primary for (one bucket's manifests, versions and uploads share that
 * partition key), so the work grows with the cluster and no bucket is walked twice. A pass
 * starts once a "day" (--lifecycle-day-seconds) or when `cairn-admin lifecycle run` asks;
 * it walks its buckets in name order (bucket-walk.ts), persisting its cursor after every
 * batch, so a restarted worker goes on where it stopped. A rate limit on records handled
 * per second keeps it from starving clients' requests.
 */
import type { RingClient } from '../../../ring/client.js';
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { listUserBuckets, listUsers } from '../../../stanchion/reader.js';
import { readBucketSettings } from '../bucket-settings.js';
import type { MultipartStore } from '../multipart-store.js';
import type { ObjectStore } from '../object-store.js';
import type { LifecycleActions } from './actions.js';
import { walkBucket, type WalkDeps } from './bucket-walk.js';
import {
  noCounts,
  type LifecycleCursor,
  type LifecycleProgress,
  type LifecycleProgressStore,
} from './progress.js';

/** What a worker needs. */
export interface LifecycleWorkerOptions {
  workerId: string;
  ring: RingClient;
  objects: ObjectStore;
  multipart: MultipartStore;
  actions: LifecycleActions;
  progress: LifecycleProgressStore;
  /** The length of a lifecycle "day", in ms (86,400,000 but in tests). */
  dayMs: number;
  /** Whether this worker handles the bucket with this id. */
  ownsBucket: (bucketId: string) => boolean;
  /** Records handled per second at most. */
  ratePerSecond: number;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  log: (message: string, error?: unknown) => void;
  /** How often the worker looks at the clock and for a run request, in ms (default 1000). */
  tickMs?: number;
  /** Records read per batch (default 100). */
  batch?: number;
}

const USERS_PAGE = 1000;

/** A clock-driven lifecycle walker; see the file comment. */
export class LifecycleWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private state: LifecycleProgress;

  constructor(private readonly options: LifecycleWorkerOptions) {
    this.state = { workerId: options.workerId, reportedAtMs: 0 };
  }

  /** This worker's progress as last recorded. */
  get progress(): LifecycleProgress {
    return this.state;
  }

  /** Reads the checkpoint left by an earlier run, then starts the tick (unref'd). */
  async start(): Promise<void> {
    try {
      this.state = (await this.options.progress.read(this.options.workerId)) ?? this.state;
    } catch (error) {
      // Not fatal: the tick reads the ring again, and a new pass starts from the beginning.
      this.options.log('lifecycle: checkpoint unreadable', error);
    }
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    void this.tick();
  }

  /** Stops the tick; a pass under way stops after its batch. Resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    try {
      if (!(await this.due())) return;
    } catch (error) {
      return this.options.log('lifecycle: run request unreadable', error);
    }
    this.running = this.runPass().finally(() => (this.running = undefined));
  }

  /** A pass is due: one was left unfinished, a day has gone by, or the operator asked. */
  private async due(): Promise<boolean> {
    if (this.state.current) return true;
    const lastStartMs = this.state.lastPass?.startedMs ?? -Infinity;
    if (this.options.clock() - lastStartMs >= this.options.dayMs) return true;
    return (await this.options.progress.runRequestedMs()) > lastStartMs;
  }

  /** Runs (or resumes) a pass now; resolves when it is done or stopped. */
  async runPass(): Promise<void> {
    const { clock } = this.options;
    this.state.current ??= { startedMs: clock(), counts: noCounts() };
    const current = this.state.current;
    try {
      const finished = await this.walkBuckets(current.cursor);
      if (!finished) return;
      this.state = {
        workerId: this.options.workerId,
        lastPass: { startedMs: current.startedMs, finishedMs: clock(), counts: current.counts },
        reportedAtMs: clock(),
      };
      await this.options.progress.write(this.state);
    } catch (error) {
      this.options.log('lifecycle pass failed (it goes on from its checkpoint)', error);
    }
  }

  /** The owned buckets with rules, in name order from the cursor's; false if stopped. */
  private async walkBuckets(cursor: LifecycleCursor | undefined): Promise<boolean> {
    const buckets = (await this.ownedBuckets()).filter((b) => !cursor || b.name >= cursor.bucket);
    for (const bucket of buckets) {
      if (this.stopped) return false;
      const { lifecycle } = await readBucketSettings(this.options.ring, bucket.id);
      if (!lifecycle || lifecycle.length === 0) continue;
      this.state.current!.counts.buckets++;
      const from = cursor?.bucket === bucket.name ? cursor : undefined;
      const done = await walkBucket(this.walkDeps(), bucket, lifecycle, from);
      if (!done) return false;
    }
    return !this.stopped;
  }

  private async ownedBuckets(): Promise<BucketRecord[]> {
    const { ring, ownsBucket } = this.options;
    const owned: BucketRecord[] = [];
    let after: string | undefined;
    for (;;) {
      const users = await listUsers(ring, after, USERS_PAGE);
      for (const user of users) {
        for (const bucket of await listUserBuckets(ring, user.id)) {
          if (ownsBucket(bucket.id)) owned.push(bucket);
        }
      }
      if (users.length < USERS_PAGE) break;
      after = users.at(-1)!.keyId;
    }
    return owned.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private walkDeps(): WalkDeps {
    const o = this.options;
    let windowStartMs = o.clock();
    let windowItems = 0;
    return {
      objects: o.objects,
      multipart: o.multipart,
      actions: o.actions,
      clock: o.clock,
      dayMs: o.dayMs,
      // A batch takes about a second at the rate: the limit acts within a second, not after.
      batch: o.batch ?? Math.max(1, Math.min(100, o.ratePerSecond)),
      counts: this.state.current!.counts,
      log: o.log,
      onBatch: async (cursor, items) => {
        this.state.current!.cursor = cursor;
        this.state.reportedAtMs = o.clock();
        await o.progress.write(this.state);
        // The rate limit: a batch of n records takes at least n / rate seconds.
        windowItems += items;
        const earliestMs = windowStartMs + (windowItems * 1000) / o.ratePerSecond;
        const waitMs = earliestMs - o.clock();
        if (waitMs > 0) await o.sleep(waitMs);
        else if (waitMs < -1000) [windowStartMs, windowItems] = [o.clock(), 0];
        return !this.stopped;
      },
    };
  }
}
