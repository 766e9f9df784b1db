/**
 * The Scheduler seam: the one way the ring's and stanchion's shells read the clock and set
 * timers. Running programs pass `realScheduler` (ring/real-scheduler.ts); simulations pass
 * a `VirtualScheduler`, whose clock moves only when the test advances it, so a run is a
 * pure function of its seed and a failing seed replays exactly. Nothing here reads the
 * real clock or sets a real timer.
 */

/** An opaque timer, for `clear`. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** How a timer is set. */
export interface TimerOptions {
  /** Real timers only: do not keep the process alive for this timer (Node's `unref`). */
  unref?: boolean;
  /** A name for traces of virtual runs. */
  label?: string;
}

/** Clock and timers. */
export interface Scheduler {
  /** Milliseconds since the epoch (real) or since the start of the run (virtual). */
  now(): number;
  /** Calls `callback` once after `delayMs`. */
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle;
  /** Calls `callback` every `intervalMs` until cleared. */
  setInterval(callback: () => void, intervalMs: number, options?: TimerOptions): TimerHandle;
  /** Cancels a timeout or an interval; a no-op for one already fired or cleared. */
  clear(handle: TimerHandle | undefined): void;
  /** Resolves after `delayMs`. */
  sleep(delayMs: number, options?: TimerOptions): Promise<void>;
}

/** A timer firing, as a virtual run's trace records it. */
export interface TimerFiring {
  atMs: number;
  seq: number;
  label: string;
}

interface VirtualTimer {
  dueMs: number;
  seq: number;
  callback: () => void;
  intervalMs: number | undefined;
  label: string;
  handle: TimerHandle;
}

/** Settings of a virtual scheduler. */
export interface VirtualSchedulerOptions {
  /** The clock's reading at the start, in ms (default 0). */
  startMs?: number;
  /**
   * Lets every pending promise reaction run before the next timer fires. The default waits
   * one macrotask turn (setImmediate), by which time the microtask queue is empty; a run
   * whose code does no real I/O is then deterministic.
   */
  settle?: () => Promise<void>;
  /** Told of every firing, in order (for traces). */
  onFire?: (firing: TimerFiring) => void;
}

/** Refuses a delay a timer cannot have (Node would clamp a NaN to 1 ms silently). */
function checkDelay(delayMs: number): number {
  if (!Number.isFinite(delayMs)) throw new RangeError(`timer delay must be finite: ${delayMs}`);
  return Math.max(0, delayMs);
}

/**
 * Deterministic time: timers fire in order of (due time, order set), only when `advance`,
 * `runUntilIdle` or `runUntil` is called, and the clock jumps to each timer's due time.
 */
export class VirtualScheduler implements Scheduler {
  private clockMs: number;
  private seq = 0;
  /** Pending timers sorted by (dueMs, seq). */
  private queue: VirtualTimer[] = [];
  private readonly settle: () => Promise<void>;
  private readonly onFire: ((firing: TimerFiring) => void) | undefined;

  constructor(options: VirtualSchedulerOptions = {}) {
    this.clockMs = options.startMs ?? 0;
    this.settle = options.settle ?? (() => new Promise((resolve) => setImmediate(resolve)));
    this.onFire = options.onFire;
  }

  now(): number {
    return this.clockMs;
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.queue.length;
  }

  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle {
    return this.add(callback, checkDelay(delayMs), undefined, options);
  }

  setInterval(callback: () => void, intervalMs: number, options?: TimerOptions): TimerHandle {
    // A zero interval would fire forever at one instant.
    const every = Math.max(1, checkDelay(intervalMs));
    return this.add(callback, every, every, options);
  }

  clear(handle: TimerHandle | undefined): void {
    const at = this.queue.findIndex((t) => t.handle === handle);
    if (at >= 0) this.queue.splice(at, 1);
  }

  sleep(delayMs: number, options?: TimerOptions): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs, options));
  }

  /**
   * Fires the earliest timer now, synchronously, moving the clock to its due time; false
   * when none is pending. The async drivers below let promises settle between firings.
   */
  fireNext(): boolean {
    const timer = this.queue.shift();
    if (!timer) return false;
    this.clockMs = Math.max(this.clockMs, timer.dueMs);
    if (timer.intervalMs !== undefined) {
      timer.dueMs = this.clockMs + timer.intervalMs;
      timer.seq = this.seq++;
      this.insert(timer);
    }
    this.onFire?.({ atMs: this.clockMs, seq: timer.seq, label: timer.label });
    timer.callback();
    return true;
  }

  /** Fires, in order, every timer due within `ms` from now; the clock ends `ms` later. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.clockMs + checkDelay(ms);
    for (;;) {
      await this.settle();
      const next = this.queue[0];
      if (!next || next.dueMs > targetMs) break;
      this.fireNext();
    }
    this.clockMs = targetMs;
  }

  /**
   * Fires timers until none is pending. An interval never ends, so at most `firingsMax`
   * firings run before it throws.
   */
  async runUntilIdle(firingsMax = 100_000): Promise<void> {
    for (let fired = 0; ; fired++) {
      await this.settle();
      if (this.queue.length === 0) return;
      if (fired >= firingsMax) throw new Error(`still busy after ${firingsMax} timer firings`);
      this.fireNext();
    }
  }

  /**
   * Fires timers in order until `work` settles, then returns its result. Throws when it is
   * still pending with no timer left (it can never settle) or after `limitMs` of virtual
   * time.
   */
  async runUntil<T>(work: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let done = false;
    const watched = work.finally(() => (done = true));
    watched.catch(() => undefined);
    const deadlineMs = this.clockMs + limitMs;
    for (;;) {
      await this.settle();
      if (done) return watched;
      const next = this.queue[0];
      if (!next) throw new Error('virtual time stands still: the work waits on no timer');
      if (next.dueMs > deadlineMs) throw new Error(`work still pending after ${limitMs} ms`);
      this.fireNext();
    }
  }

  private add(
    callback: () => void,
    delayMs: number,
    intervalMs: number | undefined,
    options: TimerOptions | undefined,
  ): TimerHandle {
    const handle = {} as TimerHandle;
    const label = options?.label ?? 'timer';
    const timer = { dueMs: this.clockMs + delayMs, seq: this.seq++, callback, intervalMs, label };
    this.insert({ ...timer, handle });
    return handle;
  }

  /** Keeps the queue sorted by (dueMs, seq): binary search for the first later timer. */
  private insert(timer: VirtualTimer): void {
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.queue[mid]!;
      const before =
        other.dueMs < timer.dueMs || (other.dueMs === timer.dueMs && other.seq < timer.seq);
      if (before) low = mid + 1;
      else high = mid;
    }
    this.queue.splice(low, 0, timer);
  }
}
