/**
 * Handoff and hinted handoff as a seeded simulation on virtual time (the world and its
 * checks are in handoff-world.ts): a primary down then back, a fifth node joining with
 * transfers under load. Each run prints its seed; HANDOFF_SIM_SEED=n replays one exactly,
 * CAIRN_SIM_SEEDS=k runs k seeds.
 */
import { describe, it } from 'vitest';
import { runHandoffSeed } from './handoff-world.js';
import { simSeeds } from './sim-seeds.js';

describe('handoff simulation (4 nodes + 1 joining, n_val=3, r=2, w=2)', () => {
  const seeds = simSeeds('HANDOFF_SIM_SEED', 20, (i) => 11 + i * 7_919);
  it.each(seeds)(
    'loses no acknowledged write, drains hints, ends on the owners (seed %i, 60 steps)',
    async (seed) => {
      const replay = `(replay with HANDOFF_SIM_SEED=${seed})`;
      try {
        const run = await runHandoffSeed(seed, 60);
        process.stdout.write(
          `handoff sim seed ${seed}: ${run.acknowledged}/60 acknowledged, ` +
            `${run.counts.flips} transfers (${run.counts.batchesSent} batches), ` +
            `${run.counts.hintsReturned} hints returned, ${run.virtualMs} virtual ms ${replay}\n`,
        );
      } catch (error) {
        process.stdout.write(`handoff sim seed ${seed} failed ${replay}\n`);
        throw error;
      }
    },
    60_000,
  );
});
