/**
 * A storage node's periodic duties besides gossip: hint returns and anti-entropy exchanges,
 * each at most one at a time, on the node's timers (real in a running node, virtual in a
 * simulation). The node builder and the simulations both start them here, so a simulation
 * drives exactly what a node runs.
 */
import type { AntiEntropy } from './anti-entropy.js';
import type { HintedHandoff } from './hinted-handoff.js';
import type { NodeTimers } from './node-timers.js';

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

/**
 * Starts the duties on `timers` (stopped by its cancelAll). A tick does nothing while
 * `active()` is false: a ring of one member has no peer to return hints to or compare with.
 */
export function startBackground(
  { hints, aae }: BackgroundDuties,
  intervals: BackgroundIntervals,
  timers: NodeTimers,
  active: () => boolean = () => true,
): void {
  timers.every(
    intervals.hintIntervalMs,
    () => {
      if (active()) void hints.tick();
    },
    'hint-tick',
  );
  if (aae) startExchanges(aae, intervals.aaeIntervalMs, timers, active);
}

/** One anti-entropy exchange per interval, never two at once. */
function startExchanges(
  aae: AntiEntropy,
  intervalMs: number,
  timers: NodeTimers,
  active: () => boolean,
): void {
  let exchanging = false;
  const tick = () => {
    if (exchanging || !active()) return;
    exchanging = true;
    void aae
      .exchangeOnce()
      .catch((error: unknown) => (aae.stats.lastError = String(error)))
      .finally(() => (exchanging = false));
  };
  timers.every(intervalMs, tick, 'aae-exchange');
}
