/**
 * A storage node's periodic duties besides gossip: hint returns and anti-entropy exchanges,
 * each at most one at a time, on timers from the Scheduler it is given (real in a running
 * node, virtual in a simulation). The same loop as run-node.ts's today, for the node builder
 * to call, so the simulations drive exactly what a node runs.
 */
import { realScheduler, type Scheduler } from '../real-scheduler.js';
import type { AntiEntropy } from './anti-entropy.js';
import type { HintedHandoff } from './hinted-handoff.js';

/** How often each duty runs. */
export interface BackgroundIntervals {
  hintIntervalMs: number;
  aaeIntervalMs: number;
}

/** The duties: hint returns always; exchanges only when the node runs anti-entropy. */
export interface BackgroundDuties {
  hints: HintedHandoff;
  aae?: AntiEntropy;
}

/** Starts the timers (unref'd: they never keep a process alive); returns their stop. */
export function startBackground(
  { hints, aae }: BackgroundDuties,
  intervals: BackgroundIntervals,
  scheduler: Scheduler = realScheduler,
): () => void {
  const hintTimer = scheduler.setInterval(() => void hints.tick(), intervals.hintIntervalMs, {
    unref: true,
    label: 'hint-tick',
  });
  if (!aae) return () => scheduler.clear(hintTimer);
  const aaeTimer = startExchanges(aae, intervals.aaeIntervalMs, scheduler);
  return () => {
    scheduler.clear(hintTimer);
    scheduler.clear(aaeTimer);
  };
}

/** One anti-entropy exchange per interval, never two at once. */
function startExchanges(aae: AntiEntropy, intervalMs: number, scheduler: Scheduler) {
  let exchanging = false;
  const tick = () => {
    if (exchanging) return;
    exchanging = true;
    void aae
      .exchangeOnce()
      .catch((error: unknown) => (aae.stats.lastError = String(error)))
      .finally(() => (exchanging = false));
  };
  return scheduler.setInterval(tick, intervalMs, { unref: true, label: 'aae-exchange' });
}
