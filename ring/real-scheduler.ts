/**
 * The Scheduler every running program uses: Node's timers and `Date.now`. Kept out of
 * ring/core, which never touches real time; simulations pass a VirtualScheduler instead.
 */
import type { Scheduler, TimerHandle, TimerOptions } from './core/scheduler.js';

export type { Scheduler, TimerHandle, TimerOptions } from './core/scheduler.js';

function realTimer(timer: NodeJS.Timeout, options?: TimerOptions): TimerHandle {
  if (options?.unref) timer.unref();
  return timer as unknown as TimerHandle;
}

/** Node's timers and `Date.now`; `unref` is honoured as today's call sites did. */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs, options) => realTimer(setTimeout(callback, delayMs), options),
  setInterval: (callback, intervalMs, options) =>
    realTimer(setInterval(callback, intervalMs), options),
  clear: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout | undefined),
  sleep: (delayMs, options) =>
    new Promise((resolve) => realTimer(setTimeout(resolve, delayMs), options)),
};
