/**
 * The stanchion shell. Every process is either the active stanchion or a standby:
 *
 * - active: one explicit, bounded single-writer queue in front of decide(), taken a batch
 *   at a time (a group commit: core/batch.ts). The batch's entries go into the ring log
 *   (W replicas each, synced), then the leader record is read again to confirm nobody took
 *   over meanwhile (the fence: a stanchion that lost its epoch never answers success), then
 *   they are logged locally and projected, applied, and answered. A beat on the leader
 *   record every half second tells standbys it lives.
 * - standby: follows the ring log up to the leader's committed entry, and claims the next
 *   epoch when the leader record stops beating for `failoverAfterMs`; on winning it adopts
 *   every entry in the ring log and re-projects what the old leader may not have.
 */
import type { RingClient } from '../ring/client.js';
import { realScheduler, type Scheduler } from '../ring/real-scheduler.js';
import { CommandLog } from './command-log.js';
import { ChangeFeed, type ChangeAnswer, type LogPosition } from './core/change-feed.js';
import type { Command, CommandResult, LogEntry } from './core/commands.js';
import { decideBatch, type BatchAnswer } from './core/batch.js';
import { adminOf, applyEntry } from './core/decide.js';
import type { StanchionState } from './core/decide.js';
import {
  followable,
  nextEpoch,
  observeLeader,
  type LeaderRecord,
  type LeaderWatch,
} from './core/leadership.js';
import { projectEvent, projectEvents } from './projection.js';
import { RingLog } from './ring-log.js';
import { RingSnapshots } from './ring-snapshot.js';
import { Snapshotter } from './snapshotter.js';
import { SNAPSHOT_DEFAULTS, type SnapshotPolicy } from './core/snapshot.js';

/** Raised when stanchion is unreachable, a standby, stopping or full: callers answer 503. */
export class StanchionUnavailableError extends Error {
  readonly code = 'STANCHION_UNAVAILABLE';

  /**
   * @param failingOver - a stanchion answered as a standby and none as the active one: a
   *   takeover is (or should be) under way, so the client is told to retry shortly.
   */
  constructor(
    message: string,
    readonly failingOver = false,
  ) {
    super(message);
  }
}

/** How often the active stanchion beats the leader record, by default, in ms. */
export const STANCHION_BEAT_INTERVAL_MS = 500;
/**
 * How long a standby waits for the leader record to move before it claims, by default, in
 * ms: six beats, so a takeover (kill -9 to the first answered command) takes about 3.5 s
 * rather than the 4.3 s of 1 s beats and 4 s. Its half is the active one's lease
 * (changesSince), which a beat renews while two beats in a row take under 1 s together,
 * as before. Shorter would take over from a leader merely stalled for a moment (a busy
 * machine): that is safe (the epoch fences it) but a needless failover.
 */
export const STANCHION_FAILOVER_AFTER_MS = 3000;
/**
 * How long a claimant waits after writing its claim before it reads who won, by default,
 * in ms: long enough for a concurrent claim (another standby that saw the same silence)
 * to land, a quorum write on a LAN taking milliseconds. Safety never rests on it: two
 * claimants that both think they won are fenced by the log and the leader record.
 */
export const STANCHION_SETTLE_MS = 250;
/**
 * The most queued commands one group commit takes: their ring appends and projection
 * writes go out together, so this bounds what is in flight to the ring at once.
 */
const BATCH_MAX = 64;

/** Settings of one stanchion process. */
export interface StanchionOptions {
  /** Directory of the local log. */
  dir: string;
  ring: RingClient;
  /** This process's stable id (kept in its data dir). */
  selfId: string;
  /** host:port clients reach it at, published in the leader record. */
  address: string;
  /** Quorums for the log and leader record: primaries only. */
  strict: { pr: number; pw: number };
  queueLengthMax?: number;
  beatIntervalMs?: number;
  failoverAfterMs?: number;
  /** How often a standby reads the leader record and the log. */
  pollIntervalMs?: number;
  /** Wait after a claim before reading who won (concurrent claims settle). */
  settleMs?: number;
  /** Defaults to the scheduler's clock. */
  clock?: () => number;
  /** A clock that never jumps (leases are measured on it), in ms; the scheduler's if given. */
  monotonicMs?: () => number;
  /** Timers for beats, polls, settling and retries; real unless a simulation passes its own. */
  scheduler?: Scheduler;
  /** Opens the local log; a simulation passes an in-memory one (default: CommandLog). */
  openLog?: (dir: string) => Promise<LocalLog>;
  /** When to snapshot and how much log to keep below it (SNAPSHOT_DEFAULTS). */
  snapshot?: Partial<SnapshotPolicy>;
  log?: (line: string) => void;
}

/** What the server needs of its local log (CommandLog on disk). */
export type LocalLog = Pick<
  CommandLog,
  'put' | 'replay' | 'close' | 'loadSnapshot' | 'saveSnapshot' | 'trimThrough'
> &
  Partial<Pick<CommandLog, 'putMany'>>;

/** What `cairn-admin stanchion status` shows of one process. */
export interface StanchionStatus {
  role: 'active' | 'standby';
  selfId: string;
  address: string;
  epoch: number;
  appliedSeq: number;
  /** The seq of the latest snapshot held locally (0: none yet). */
  snapshotSeq: number;
  /** Entries after the snapshot: what a restart replays. */
  logTail: number;
  queueLength: number;
  users: number;
  buckets: number;
  leader?: LeaderRecord;
}

interface Pending {
  command: Command;
  resolve: (result: CommandResult) => void;
  reject: (error: unknown) => void;
}

/** The serializer for one cluster (one process of it). */
export class StanchionServer {
  private readonly queue: Pending[] = [];
  private readonly ringLog: RingLog;
  private readonly settings: Required<
    Omit<StanchionOptions, 'ring' | 'strict' | 'openLog' | 'snapshot'>
  >;
  private role: 'active' | 'standby' = 'standby';
  private epoch = 0;
  private projectedSeq = 0;
  private watch: LeaderWatch = { sinceMs: 0 };
  private lastLeader: LeaderRecord | undefined;
  private draining = false;
  private closed = false;
  private loopDone: Promise<void> = Promise.resolve();
  private firstTick!: Promise<void>;
  private readonly feed = new ChangeFeed();
  /** Until when (monotonic ms) no standby can have taken over: see changesSince. */
  private leaseUntilMs = -Infinity;
  /** The snapshot being taken beside the loop, if any. */
  private snapshotting: Promise<void> | undefined;

  private constructor(
    private readonly local: LocalLog,
    private readonly ring: RingClient,
    private state: StanchionState,
    private readonly snapshots: Snapshotter,
    options: StanchionOptions,
  ) {
    this.ringLog = new RingLog(ring, options.strict);
    const scheduler = options.scheduler ?? realScheduler;
    this.settings = {
      queueLengthMax: 1024,
      beatIntervalMs: STANCHION_BEAT_INTERVAL_MS,
      failoverAfterMs: STANCHION_FAILOVER_AFTER_MS,
      pollIntervalMs: 250,
      settleMs: STANCHION_SETTLE_MS,
      log: () => undefined,
      ...options,
      // After the spread: an option given as undefined still gets the default.
      clock: options.clock ?? (() => scheduler.now()),
      monotonicMs:
        options.monotonicMs ??
        (options.scheduler ? () => scheduler.now() : () => performance.now()),
      scheduler,
    };
    this.projectedSeq = state.appliedSeq;
  }

  /** Opens the local log, replays it, and starts following or leading. */
  static async open(options: StanchionOptions): Promise<StanchionServer> {
    const local = await (options.openLog ?? CommandLog.open)(options.dir);
    const policy = { ...SNAPSHOT_DEFAULTS, ...options.snapshot };
    const ringSnapshots = new RingSnapshots(options.ring, options.strict);
    const snapshots = new Snapshotter(local, ringSnapshots, policy, options.selfId);
    const state = await snapshots.restore();
    for await (const entry of local.replay(state.appliedSeq)) {
      applyEntry(state, entry);
      snapshots.note(entry);
    }
    const server = new StanchionServer(local, options.ring, state, snapshots, options);
    server.start();
    await server.firstTick;
    return server;
  }

  /** Submits a command; resolves with its result once it is durable and visible. */
  execute(command: Command): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new StanchionUnavailableError('stanchion is stopping'));
    if (this.role !== 'active') {
      return Promise.reject(new StanchionUnavailableError('this stanchion is a standby'));
    }
    if (this.queue.length >= this.settings.queueLengthMax) {
      return Promise.reject(new StanchionUnavailableError('stanchion queue is full'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** The role this process plays now. */
  get currentRole(): 'active' | 'standby' {
    return this.role;
  }

  /** The bootstrap admin user, once the log holds one. */
  admin() {
    return adminOf(this.state);
  }

  /**
   * What changed after `from` (see core/change-feed.ts), for front ends' caches. Answered
   * only by the active stanchion within its lease: a standby claims only after the leader
   * record stood still for failoverAfterMs of its time, counted from no earlier than the
   * start of our last beat, so until half that has passed on our clock no other stanchion
   * can have answered a mutation. A paused leader that wakes up past its lease answers 503
   * until its next beat, and then steps down: it can never report a stale position.
   */
  changesSince(from: LogPosition): ChangeAnswer {
    if (this.closed || this.role !== 'active' || this.settings.monotonicMs() >= this.leaseUntilMs) {
      throw new StanchionUnavailableError('no lease: ask the active stanchion');
    }
    return this.feed.since(from);
  }

  /** Role, epoch, progress and the leader record as last read. */
  status(): StanchionStatus {
    return {
      role: this.role,
      selfId: this.settings.selfId,
      address: this.settings.address,
      epoch: this.role === 'active' ? this.epoch : this.state.epoch,
      appliedSeq: this.state.appliedSeq,
      snapshotSeq: this.snapshots.snapshotSeq,
      logTail: this.state.appliedSeq - this.snapshots.snapshotSeq,
      queueLength: this.queue.length,
      users: this.state.users.size,
      buckets: this.state.buckets.size,
      ...(this.lastLeader ? { leader: this.lastLeader } : {}),
    };
  }

  /**
   * Stops leading or following, finishes queued commands, hands the role over (if active),
   * then closes the log.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.loopDone;
    await this.snapshotSettled();
    while (this.draining) await this.sleep(5);
    await this.release().catch((error: unknown) => {
      this.settings.log(`stanchion: could not release the leader role: ${String(error)}`);
    });
    await this.local.close();
  }

  /**
   * The active one, closing, marks its leader record released (with what it committed), so
   * a standby takes over at once rather than after failoverAfterMs of silence.
   */
  private async release(): Promise<void> {
    if (this.role !== 'active') return;
    const { record, context } = await this.ringLog.readLeader();
    if (!this.holds(record)) return;
    const released = { ...record!, beat: record!.beat + 1, committedSeq: this.projectedSeq };
    await this.ringLog.writeLeader({ ...released, released: true }, context);
    this.role = 'standby';
    this.settings.log(`stanchion: released the leader role at epoch ${this.epoch}`);
  }

  private sleep(ms: number): Promise<void> {
    return this.settings.scheduler.sleep(ms, { label: 'stanchion-wait' });
  }

  private start(): void {
    let signalFirst!: () => void;
    this.firstTick = new Promise((resolve) => (signalFirst = resolve));
    this.loopDone = (async () => {
      while (!this.closed) {
        try {
          await (this.role === 'active' ? this.beat() : this.follow());
          this.startSnapshotIfDue();
        } catch (error) {
          this.settings.log(`stanchion: ${(error as Error).message}`);
        }
        signalFirst();
        const { beatIntervalMs, pollIntervalMs } = this.settings;
        const waitMs = this.role === 'active' ? beatIntervalMs : pollIntervalMs;
        const stepMs = Math.min(50, waitMs);
        for (let t = 0; t < waitMs && !this.closed; t += stepMs) await this.sleep(stepMs);
      }
    })();
  }

  /** Active: bumps the beat, or steps down if another holds the record now. */
  private async beat(): Promise<void> {
    const startedMs = this.settings.monotonicMs();
    const { record, context } = await this.ringLog.readLeader();
    this.lastLeader = record;
    if (!this.holds(record)) return this.stepDown('another stanchion holds the leader record');
    const next = { ...record!, beat: record!.beat + 1, committedSeq: this.projectedSeq };
    await this.ringLog.writeLeader(next, context);
    this.lastLeader = next;
    this.leaseUntilMs = startedMs + this.settings.failoverAfterMs / 2;
  }

  /** Standby: applies committed entries, or claims the role when the leader is silent. */
  private async follow(): Promise<void> {
    const { record, context } = await this.ringLog.readLeader();
    this.lastLeader = record;
    const seen = observeLeader(
      this.watch,
      record,
      this.settings.selfId,
      this.settings.clock(),
      this.settings.failoverAfterMs,
    );
    this.watch = seen.watch;
    if (seen.action === 'claim') return this.claim(record, context);
    await this.catchUp(record!.committedSeq);
  }

  private async claim(
    record: LeaderRecord | undefined,
    context: Awaited<ReturnType<RingLog['readLeader']>>['context'],
  ): Promise<void> {
    const epoch = nextEpoch(record, this.state.epoch);
    const { selfId, address } = this.settings;
    const committedSeq = record?.committedSeq ?? 0;
    const claimRecord = { epoch, holderId: selfId, address, beat: 0, committedSeq };
    const startedMs = this.settings.monotonicMs();
    await this.ringLog.writeLeader(claimRecord, context);
    await this.sleep(this.settings.settleMs);
    const now = await this.ringLog.readLeader();
    this.lastLeader = now.record;
    if (now.record?.holderId !== selfId || now.record.epoch !== epoch) return;
    await this.catchUp(Number.MAX_SAFE_INTEGER);
    await this.reproject(Math.min(committedSeq, this.state.appliedSeq));
    this.epoch = epoch;
    this.projectedSeq = this.state.appliedSeq;
    this.feed.restart({ epoch, seq: this.state.appliedSeq });
    this.leaseUntilMs = startedMs + this.settings.failoverAfterMs / 2;
    this.role = 'active';
    this.settings.log(`stanchion: active at epoch ${epoch} (log at ${this.state.appliedSeq})`);
  }

  /**
   * Applies ring log entries after ours, up to `limitSeq`. Where the entries after ours
   * are gone (trimmed below a snapshot while this one lagged), adopts the ring's snapshot.
   */
  private async catchUp(limitSeq: number): Promise<void> {
    for (;;) {
      const applied = this.state.appliedSeq;
      const entries = await this.ringLog.readAfter(applied, 256);
      const ready = followable(applied, limitSeq, entries);
      // One synced local write for what this read brought, not one per entry: a standby
      // syncing each entry falls behind an active one that groups its commits.
      await this.keepAll(ready);
      if (ready.length === 256) continue;
      const gap = entries.length > 0 ? entries[0]!.seq > applied + 1 : applied < limitSeq;
      if (ready.length > 0 || !gap) return;
      // Never beside one of our own: an older one saved after the adopted one would be what
      // a restart loads, with the entries between them trimmed.
      await this.snapshotSettled();
      const adopted = await this.snapshots.adoptIfAhead(applied);
      if (!adopted) return;
      this.state = adopted;
      this.settings.log(`stanchion: adopted the ring's snapshot at ${adopted.appliedSeq}`);
    }
  }

  /**
   * Starts a due snapshot beside the loop, one at a time: saving it and trimming the logs
   * below it (thousands of ring deletes at the default interval) must not hold up the
   * beats, or a standby takes over from a leader that is merely busy.
   */
  private startSnapshotIfDue(): void {
    if (this.snapshotting) return;
    this.snapshotting = this.snapshotIfDue()
      .catch((error: unknown) => this.settings.log(`stanchion: ${(error as Error).message}`))
      .finally(() => (this.snapshotting = undefined));
  }

  /** Until the snapshot under way (if any) is done. */
  private async snapshotSettled(): Promise<void> {
    await this.snapshotting;
  }

  /**
   * Snapshots the state when due. The active one shares it on the ring (and trims the ring
   * log) only while every applied entry is projected: a standby adopting it never reprojects.
   */
  private async snapshotIfDue(): Promise<void> {
    const active = this.role === 'active';
    if (active && this.projectedSeq !== this.state.appliedSeq) return;
    const seq = await this.snapshots.maybeTake(this.state, active);
    if (seq !== undefined) this.settings.log(`stanchion: snapshot at ${seq}`);
  }

  /** Projects every entry after `afterSeq` again: the old leader may have died mid-way. */
  private async reproject(afterSeq: number): Promise<void> {
    for await (const entry of this.local.replay(afterSeq)) {
      for (const event of entry.events) await projectEvent(this.ring, event);
    }
  }

  private holds(record: LeaderRecord | undefined): boolean {
    return record?.holderId === this.settings.selfId && record.epoch === this.epoch;
  }

  private stepDown(reason: string): void {
    if (this.role !== 'active') return;
    this.role = 'standby';
    this.leaseUntilMs = -Infinity;
    this.watch = { sinceMs: this.settings.clock() };
    this.settings.log(`stanchion: standing down at epoch ${this.epoch}: ${reason}`);
    for (const pending of this.queue.splice(0)) {
      pending.reject(new StanchionUnavailableError(`stanchion stood down: ${reason}`));
    }
  }

  /** Takes what is queued, up to BATCH_MAX commands at a time, as one group commit. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH_MAX);
      try {
        const answers = await this.executeBatch(batch.map((p) => p.command));
        batch.forEach((pending, i) => {
          const answer = answers[i]!;
          if ('error' in answer) pending.reject(answer.error);
          else pending.resolve(answer.result);
        });
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.draining = false;
  }

  /**
   * Decides the commands in order, then makes their entries durable together: all on the
   * ring (W replicas each), the fence read once, one synced local write, the projection of
   * all; only then are any answered. Any failure fails the whole batch (503 or an error),
   * as a failure of its first command alone would: none of it is applied here.
   */
  private async executeBatch(commands: Command[]): Promise<BatchAnswer[]> {
    if (this.role !== 'active') throw new StanchionUnavailableError('stanchion stood down');
    const { entries, answers } = decideBatch(this.state, this.epoch, commands);
    if (entries.length === 0) return answers;
    await this.appendAll(entries);
    const last = entries.at(-1)!;
    await this.confirmLeadership(last);
    // Both after the fence, side by side: the local sync need not wait for the projection.
    const events = entries.flatMap((entry) => entry.events);
    const [kept, projected] = await Promise.allSettled([
      this.keepAll(entries),
      this.withRetry(() => projectEvents(this.ring, events)),
    ]);
    const span = `${entries[0]!.seq}-${last.seq}`;
    // Reclaiming (the record still names us) re-projects from the committed entry on, and
    // adopts from the ring what the local log missed.
    if (projected.status === 'rejected') {
      this.stepDown(`could not project entries ${span}`);
      throw projected.reason;
    }
    if (kept.status === 'rejected') {
      this.stepDown(`could not log entries ${span} locally`);
      throw kept.reason;
    }
    this.projectedSeq = last.seq;
    for (const entry of entries) this.feed.record(entry);
    return answers;
  }

  /**
   * Writes a batch's entries into their ring log slots together. If any fails, this epoch
   * ends here (step down; a reclaim takes a new one): an entry that did land after a slot
   * that did not was decided on the lost one, so it must never follow a different entry in
   * that slot at this epoch. A new leader adopts the contiguous run and overwrites the rest.
   */
  private async appendAll(entries: readonly LogEntry[]): Promise<void> {
    const appends = await Promise.allSettled(entries.map((entry) => this.ringLog.append(entry)));
    const failed = appends.findIndex((a) => a.status === 'rejected');
    if (failed >= 0) {
      this.stepDown(`could not append entry ${entries[failed]!.seq} to the ring log`);
      throw (appends[failed] as PromiseRejectedResult).reason;
    }
    const taken = appends.findIndex((a) => a.status === 'fulfilled' && !a.value);
    if (taken >= 0) {
      this.stepDown(`log slot ${entries[taken]!.seq} holds a newer epoch`);
      throw new StanchionUnavailableError('stanchion was fenced');
    }
  }

  /** Logs entries locally (one synced write when the log can batch) and applies them. */
  private async keepAll(entries: readonly LogEntry[]): Promise<void> {
    if (this.local.putMany) await this.local.putMany(entries);
    else for (const entry of entries) await this.local.put(entry);
    for (const entry of entries) {
      applyEntry(this.state, entry);
      this.snapshots.note(entry);
    }
  }

  /**
   * The fence: after the entry is durable on the ring, the leader record must still name
   * this process at its epoch, or the answer is 503 (the new leader adopts the entry or
   * overwrites it). If the ring cannot say, step down: following will sort it out.
   */
  private async confirmLeadership(entry: LogEntry): Promise<void> {
    let record: LeaderRecord | undefined;
    try {
      record = await this.withRetry(async () => (await this.ringLog.readLeader()).record);
    } catch (error) {
      this.stepDown(`could not confirm the leader record after entry ${entry.seq}`);
      throw error;
    }
    if (!this.holds(record)) {
      this.stepDown('another stanchion took over');
      throw new StanchionUnavailableError('stanchion was fenced');
    }
  }

  /**
   * Retries through a short ring outage (a handoff settling, a node restarting): the entry
   * is already decided and durable, so giving up early would only turn a success into a
   * 503 that the client's retry then contradicts.
   */
  private async withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (tries >= 4) throw error;
        await this.sleep(250 * 2 ** tries);
      }
    }
  }
}
