/**
 * The operator's hold on garbage collection: `cairn-admin gc pause|resume|set-interval|
 * set-leeway` write overrides to one record on the ring, and every collector (the embedded
 * store, each storage node) and every front end (which queues dead blocks with the leeway)
 * reads it every few seconds. On the ring, the whole cluster follows one setting and a
 * restarted node keeps it — a pause meant to protect data is never undone by a restart.
 * Each worker also leaves its last report there, so `gc status` sees the cluster's passes.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { GcWorkerReport } from './gc-worker.js';

/** What the operator changed; an absent field means "as configured". */
export interface GcOverrides {
  paused?: boolean;
  /** Seconds between collections, or 'infinity' (never, as Riak CS's gc.interval took it). */
  intervalSeconds?: number | 'infinity';
  leewaySeconds?: number;
  updatedAtMs?: number;
}

/** One worker's last passes, as it reported them. */
export interface GcWorkerRecord {
  workerId: string;
  lastCollect?: { startedAtMs: number; finishedAtMs: number; collected: number };
  nextCollectMs?: number;
  reportedAtMs: number;
}

const GC_PK = 'gc';
const OVERRIDES_SK = '';
const POLL_MS = 5000;
/** Longest a quiet worker goes without reporting, in ms. */
const QUIET_REPORT_MS = 30_000;

/** The overrides of this cluster, as last read, over this process's configured values. */
export class GcControl {
  private current: GcOverrides = {};
  private timer: NodeJS.Timeout | undefined;
  /** When each worker of this process last reported, ms. */
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly ring: RingClient,
    /** The configured interval and leeway, in ms (Infinity: never collect). */
    readonly configured: { intervalMs: number; leewayMs: number },
    private readonly clock: () => number,
    private readonly pollMs = POLL_MS,
  ) {}

  /** The overrides as last read. */
  get overrides(): GcOverrides {
    return this.current;
  }

  get paused(): boolean {
    return this.current.paused === true;
  }

  /** Time between collections now, in ms (Infinity: none). */
  get intervalMs(): number {
    const interval = this.current.intervalSeconds;
    if (interval === undefined) return this.configured.intervalMs;
    return interval === 'infinity' ? Infinity : interval * 1000;
  }

  /** The leeway dead blocks are queued with now, in ms. */
  get leewayMs(): number {
    const leeway = this.current.leewaySeconds;
    return leeway === undefined ? this.configured.leewayMs : leeway * 1000;
  }

  /** Reads the overrides now. */
  async refresh(): Promise<GcOverrides> {
    this.current = (await this.readStored()).overrides;
    return this.current;
  }

  /** The stored overrides; concurrent updates left siblings: the newest wins. */
  private async readStored() {
    const read = await this.ring.getVersioned(KEYSPACES.clusterSettings, GC_PK, OVERRIDES_SK);
    const stored = read.values.map((v) => JSON.parse(v.toString('utf8')) as GcOverrides);
    stored.sort((a, b) => (b.updatedAtMs ?? 0) - (a.updatedAtMs ?? 0));
    return { overrides: stored[0] ?? {}, context: read.context };
  }

  /** Reads them every few seconds (unref'd: never keeps the process alive). */
  start(onError: (error: unknown) => void): void {
    this.timer ??= setInterval(() => void this.refresh().catch(onError), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Applies `change` to the stored overrides (read, then write with its context). */
  async update(change: (overrides: GcOverrides) => GcOverrides): Promise<GcOverrides> {
    const { overrides, context } = await this.readStored();
    const next = { ...change(overrides), updatedAtMs: this.clock() };
    const value = Buffer.from(JSON.stringify(next));
    await this.ring.putVersioned(KEYSPACES.clusterSettings, GC_PK, OVERRIDES_SK, value, context);
    this.current = next;
    return next;
  }

  /**
   * Leaves a worker's last pass on the ring for `gc status`, best effort (a failed report
   * is retried next pass): after a pass that collected something, or when the last report
   * is 30 s old — a 1 s interval must not mean a synced ring write every second.
   */
  async reportPass(workerId: string, report: GcWorkerReport, nowMs: number): Promise<void> {
    const last = report.lastCollect;
    const quietForMs = nowMs - (this.reported.get(workerId) ?? -Infinity);
    if (last && last.collected === 0 && quietForMs < QUIET_REPORT_MS) return;
    this.reported.set(workerId, nowMs);
    const record: GcWorkerRecord = {
      workerId,
      ...(last
        ? {
            lastCollect: {
              startedAtMs: last.startedAtMs,
              finishedAtMs: last.atMs,
              collected: last.collected,
            },
          }
        : {}),
      ...(report.nextCollectMs !== undefined ? { nextCollectMs: report.nextCollectMs } : {}),
      reportedAtMs: nowMs,
    };
    const value = Buffer.from(JSON.stringify(record));
    await this.ring
      .put(KEYSPACES.clusterSettings, GC_PK, `w/${workerId}`, value)
      .catch(() => this.reported.delete(workerId));
  }

  /** Every worker's last report (at most 1000 workers). */
  async reports(): Promise<GcWorkerRecord[]> {
    const prefix = Buffer.from('w/');
    const items = await this.ring.scan(KEYSPACES.clusterSettings, GC_PK, { prefix, limit: 1000 });
    return items.map((item) => JSON.parse(item.value.toString('utf8')) as GcWorkerRecord);
  }
}

/** Options whose leewayMs is the control's, read each time (the operator may change it). */
export function leewayOf(control: GcControl): { readonly leewayMs: number } {
  return {
    get leewayMs() {
      return control.leewayMs;
    },
  };
}
