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

/** Starts both timers (unref'd: they never keep a process alive); returns their stop. */
export function startBackground(
  hints: HintedHandoff,
  aae: AntiEntropy,
  intervals: BackgroundIntervals,
  scheduler: Scheduler = realScheduler,
): () => void {
  const hintTimer = scheduler.setInterval(() => void hints.tick(), intervals.hintIntervalMs, {
    unref: true,
    label: 'hint-tick',
  });
  let exchanging = false;
  const aaeTick = () => {
    if (exchanging) return;
    exchanging = true;
    void aae
      .exchangeOnce()
      .catch((error: unknown) => (aae.stats.lastError = String(error)))
      .finally(() => (exchanging = false));
  };
  const aaeTimer = scheduler.setInterval(aaeTick, intervals.aaeIntervalMs, {
    unref: true,
    label: 'aae-exchange',
  });
  return () => {
    scheduler.clear(hintTimer);
    scheduler.clear(aaeTimer);
  };
}
