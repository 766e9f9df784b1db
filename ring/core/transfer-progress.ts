/**
 * Progress of one handoff (ownership or hinted) as `cairn-admin transfers` shows it: what is
 * done of what total, in which state, and a rate averaged over a window of recent batches
 * rather than since the start (a transfer that stalled must show its rate falling, and one
 * that waited for a slot must not show a rate diluted by the wait). Pure: the caller passes
 * the time, so tests need no clock. It must never report a rate or total it does not know:
 * those are null, never 0 or NaN.
 */

/** Which kind of handoff: a moved partition, or hints returned to their primary. */
export type TransferKind = 'ownership' | 'hinted';

/**
 * Where a transfer stands. `waiting-target`: the receiving node is down; `waiting-slot`: the
 * sender already runs `transfer_limit` transfers; `pending`: the receiver is up and the next
 * round starts it; `counting`: counting objects and bytes to send; `sending`; `throttled`:
 * pausing between batches to stay within the handoff rate limit; `retrying`: a
 * batch failed, sent again after a pause; `reporting`: all sent, ownership being handed over
 * by the claimant; `dropping`: hints delivered, the fallback's copies removed; `done`.
 */
export type TransferState =
  | 'waiting-target'
  | 'waiting-slot'
  | 'pending'
  | 'counting'
  | 'sending'
  | 'throttled'
  | 'retrying'
  | 'reporting'
  | 'dropping'
  | 'done';

/** One transfer as a node reports it (JSON on `/admin/transfers`). */
export interface TransferReport {
  kind: TransferKind;
  partition: number;
  from: string;
  to: string;
  state: TransferState;
  itemsDone: number;
  /** Null until counted. */
  itemsTotal: number | null;
  bytesDone: number;
  /** Null until counted. */
  bytesTotal: number | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** Averaged over the last `rateWindowMs`; null with too few batches to tell. */
  itemsPerSecond: number | null;
  bytesPerSecond: number | null;
  rateWindowMs: number;
  /** The last failure, when retrying or waiting after one. */
  error: string | null;
}

/** A cumulative count at one moment: what the rate window averages over. */
export interface RateSample {
  atMs: number;
  items: number;
  bytes: number;
}

/** The default rate window: long enough to smooth batches, short enough to show a stall. */
export const RATE_WINDOW_MS = 10_000;

/**
 * Items and bytes per second over the last `windowMs` before `nowMs`, from cumulative
 * samples in time order. The window starts at the last sample at or before its start (so a
 * transfer that stalled shows a falling rate); null with fewer than two samples or no time.
 */
export function windowRate(
  samples: readonly RateSample[],
  nowMs: number,
  windowMs: number,
): { itemsPerSecond: number; bytesPerSecond: number } | null {
  if (samples.length < 2) return null;
  const since = nowMs - windowMs;
  let first = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i]!.atMs <= since) first = i;
  const start = samples[first]!;
  const last = samples.at(-1)!;
  const seconds = (Math.max(nowMs, last.atMs) - start.atMs) / 1000;
  if (!(seconds > 0)) return null;
  return {
    itemsPerSecond: Math.max(0, last.items - start.items) / seconds,
    bytesPerSecond: Math.max(0, last.bytes - start.bytes) / seconds,
  };
}

/** What a count of a partition found: totals, and how much lies at or before a checkpoint. */
export interface PartitionMeasure {
  items: number;
  bytes: number;
  itemsBefore: number;
  bytesBefore: number;
}

/** Samples kept per transfer: bounded whatever the batch rate. */
const SAMPLES_MAX = 64;

/** The mutable progress of one transfer, owned by the handoff that runs it. */
export class TransferProgress {
  state: TransferState = 'counting';
  itemsDone = 0;
  bytesDone = 0;
  itemsTotal: number | null = null;
  bytesTotal: number | null = null;
  finishedAtMs: number | null = null;
  error: string | null = null;
  private samples: RateSample[] = [];

  constructor(
    readonly kind: TransferKind,
    readonly partition: number,
    readonly from: string,
    readonly to: string,
    readonly startedAtMs: number,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {}

  /** Records a count; what lies before the checkpoint counts as done (a resumed transfer). */
  counted(measure: PartitionMeasure, nowMs: number): void {
    this.itemsTotal = measure.items;
    this.bytesTotal = measure.bytes;
    this.itemsDone = measure.itemsBefore;
    this.bytesDone = measure.bytesBefore;
    this.samples = [{ atMs: nowMs, items: this.itemsDone, bytes: this.bytesDone }];
  }

  /** Records one batch delivered. */
  sent(items: number, bytes: number, nowMs: number): void {
    this.itemsDone += items;
    this.bytesDone += bytes;
    // Writes forwarded during the transfer can grow the partition past its count.
    if (this.itemsTotal !== null) this.itemsTotal = Math.max(this.itemsTotal, this.itemsDone);
    if (this.bytesTotal !== null) this.bytesTotal = Math.max(this.bytesTotal, this.bytesDone);
    this.samples.push({ atMs: nowMs, items: this.itemsDone, bytes: this.bytesDone });
    const since = nowMs - 2 * this.windowMs;
    while (this.samples.length > SAMPLES_MAX || (this.samples[1]?.atMs ?? nowMs) < since) {
      this.samples.shift();
    }
  }

  /** Marks it finished. */
  finish(nowMs: number): void {
    this.state = 'done';
    this.finishedAtMs = nowMs;
    this.error = null;
  }

  /** A plain copy for the admin API. */
  report(nowMs: number): TransferReport {
    const rate = this.state === 'done' ? null : windowRate(this.samples, nowMs, this.windowMs);
    return {
      kind: this.kind,
      partition: this.partition,
      from: this.from,
      to: this.to,
      state: this.state,
      itemsDone: this.itemsDone,
      itemsTotal: this.itemsTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      startedAtMs: this.startedAtMs,
      finishedAtMs: this.finishedAtMs,
      itemsPerSecond: rate?.itemsPerSecond ?? null,
      bytesPerSecond: rate?.bytesPerSecond ?? null,
      rateWindowMs: this.windowMs,
      error: this.error,
    };
  }
}

/** How long a finished transfer stays in the report, and how many are kept. */
export const RECENT_KEEP_MS = 60_000;
const RECENT_MAX = 32;

/** Finished transfers, newest last, bounded in number and age. */
export class RecentTransfers {
  private readonly done: TransferReport[] = [];

  add(report: TransferReport): void {
    this.done.push(report);
    if (this.done.length > RECENT_MAX) this.done.shift();
  }

  /** Those finished within RECENT_KEEP_MS of `nowMs`. */
  list(nowMs: number): TransferReport[] {
    return this.done.filter((r) => nowMs - (r.finishedAtMs ?? nowMs) <= RECENT_KEEP_MS);
  }
}

/** A transfer that has not started: its totals if counted, nothing done, no rate. */
export function notStartedReport(
  kind: TransferKind,
  where: { partition: number; from: string; to: string },
  state: TransferState,
  measure: { items: number; bytes: number } | null,
  error: string | null = null,
): TransferReport {
  return {
    kind,
    ...where,
    state,
    itemsDone: 0,
    itemsTotal: measure?.items ?? null,
    bytesDone: 0,
    bytesTotal: measure?.bytes ?? null,
    startedAtMs: null,
    finishedAtMs: null,
    itemsPerSecond: null,
    bytesPerSecond: null,
    rateWindowMs: RATE_WINDOW_MS,
    error,
  };
}
