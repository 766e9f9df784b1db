/**
 * Where each lifecycle worker leaves its progress on the ring: the pass under way and its
 * cursor (the checkpoint a restarted worker goes on from), the last finished pass, and the
 * operator's request for a pass now (`cairn-admin lifecycle run`). The records sit in the
 * cluster-settings keyspace under 'lifecycle', like GC's reports under 'gc'.
 */
import type { RingClient } from '../../../ring/client.js';
import { KEYSPACES } from '../../../ring/keyspaces.js';

/** The phases of one bucket's walk, in order. */
export const PHASES = ['current', 'versions', 'uploads'] as const;
export type Phase = (typeof PHASES)[number];

/** How far a pass has gone: the bucket, its phase, and the last sort key done (hex). */
export interface LifecycleCursor {
  bucket: string;
  phase: Phase;
  after?: string;
}

/** What a pass did. */
export interface PassCounts {
  buckets: number;
  scanned: number;
  expired: number;
  aborted: number;
  /** Actions the delete path refused (a locked version) or that raced a client: left. */
  skipped: number;
}

/** One worker's record. */
export interface LifecycleProgress {
  workerId: string;
  /** The pass under way: when it started, where it is, what it did so far. */
  current?: { startedMs: number; cursor?: LifecycleCursor; counts: PassCounts };
  lastPass?: { startedMs: number; finishedMs: number; counts: PassCounts };
  reportedAtMs: number;
}

const PK = 'lifecycle';
const REQUEST_SK = '';
const WORKER_PREFIX = 'w/';

/** Zero counts. */
export function noCounts(): PassCounts {
  return { buckets: 0, scanned: 0, expired: 0, aborted: 0, skipped: 0 };
}

/** The progress records of the ring's lifecycle workers. */
export class LifecycleProgressStore {
  constructor(private readonly ring: RingClient) {}

  /** A worker's record, if it left one. */
  async read(workerId: string): Promise<LifecycleProgress | undefined> {
    const value = await this.ring.get(KEYSPACES.clusterSettings, PK, WORKER_PREFIX + workerId);
    return value ? (JSON.parse(value.toString('utf8')) as LifecycleProgress) : undefined;
  }

  /** Writes a worker's record (one writer per worker id: a plain put). */
  async write(progress: LifecycleProgress): Promise<void> {
    const sk = WORKER_PREFIX + progress.workerId;
    await this.ring.put(KEYSPACES.clusterSettings, PK, sk, Buffer.from(JSON.stringify(progress)));
  }

  /** Every worker's record (at most 1000 workers). */
  async all(): Promise<LifecycleProgress[]> {
    const prefix = Buffer.from(WORKER_PREFIX);
    const items = await this.ring.scan(KEYSPACES.clusterSettings, PK, { prefix, limit: 1000 });
    return items.map((item) => JSON.parse(item.value.toString('utf8')) as LifecycleProgress);
  }

  /** Asks every worker for a pass now. */
  async requestRun(nowMs: number): Promise<void> {
    const value = Buffer.from(JSON.stringify({ runRequestedMs: nowMs }));
    await this.ring.put(KEYSPACES.clusterSettings, PK, REQUEST_SK, value);
  }

  /** When a pass was last asked for (0: never). */
  async runRequestedMs(): Promise<number> {
    const value = await this.ring.get(KEYSPACES.clusterSettings, PK, REQUEST_SK);
    if (!value) return 0;
    const parsed = JSON.parse(value.toString('utf8')) as { runRequestedMs?: unknown };
    return typeof parsed.runRequestedMs === 'number' ? parsed.runRequestedMs : 0;
  }
}
