/**
 * The clock and timers of a storage node's own background duties (hint returns,
 * anti-entropy rounds, the tombstone reaper's wait). They are passed to the builder, so a
 * scheduler with virtual time can drive them; a node's close cancels every one of them, so
 * nothing it started runs against a closed store.
 */

/** Time and timers for one node. */
export interface NodeTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `tick` every `intervalMs` until cancelAll. */
  every(intervalMs: number, tick: () => void): void;
  /** Resolves after `ms`; never resolves once cancelAll was called. */
  sleep(ms: number): Promise<void>;
  /** Cancels every interval and pending sleep. */
  cancelAll(): void;
}

/** Real time: Date.now and unref'd timers (they never keep the process alive). */
export function realNodeTimers(): NodeTimers {
  const intervals = new Set<NodeJS.Timeout>();
  const sleeps = new Set<NodeJS.Timeout>();
  let cancelled = false;
  return {
    now: Date.now,
    every(intervalMs, tick) {
      if (cancelled) return;
      const timer = setInterval(tick, intervalMs);
      timer.unref();
      intervals.add(timer);
    },
    sleep(ms) {
      return new Promise((resolve) => {
        if (cancelled) return;
        const timer = setTimeout(() => {
          sleeps.delete(timer);
          resolve();
        }, ms);
        timer.unref();
        sleeps.add(timer);
      });
    },
    cancelAll() {
      cancelled = true;
      for (const timer of intervals) clearInterval(timer);
      for (const timer of sleeps) clearTimeout(timer);
      intervals.clear();
      sleeps.clear();
    },
  };
}
