/**
 * The clock and timers of a storage node's own background duties (hint returns,
 * anti-entropy rounds, the tombstone reaper's wait), on a Scheduler: real in a running node,
 * virtual in a simulation. A node's close cancels every one of them, so nothing it started
 * runs against a closed store.
 */
import type { Scheduler, TimerHandle } from '../real-scheduler.js';

/** Time and timers for one node. */
export interface NodeTimers {
  /** Milliseconds since the epoch (the scheduler's clock). */
  now(): number;
  /** Calls `tick` every `intervalMs` until cancelAll; `label` names it in a simulation's trace. */
  every(intervalMs: number, tick: () => void, label?: string): void;
  /** Resolves after `ms`; never resolves once cancelAll was called. */
  sleep(ms: number): Promise<void>;
  /** Cancels every interval and pending sleep. */
  cancelAll(): void;
}

/** A node's timers on `scheduler`, unref'd (they never keep the process alive). */
export function nodeTimersOn(scheduler: Scheduler): NodeTimers {
  const handles = new Set<TimerHandle>();
  let cancelled = false;
  return {
    now: () => scheduler.now(),
    every(intervalMs, tick, label = 'node-duty') {
      if (cancelled) return;
      handles.add(scheduler.setInterval(tick, intervalMs, { unref: true, label }));
    },
    sleep(ms) {
      return new Promise((resolve) => {
        if (cancelled) return;
        const handle = scheduler.setTimeout(
          () => {
            handles.delete(handle);
            resolve();
          },
          ms,
          { unref: true, label: 'node-sleep' },
        );
        handles.add(handle);
      });
    },
    cancelAll() {
      cancelled = true;
      for (const handle of handles) scheduler.clear(handle);
      handles.clear();
    },
  };
}
