/**
 * Claim at scale: a seeded run grows a cluster node by node, with occasional leaves, to
 * 1,000 nodes at Q=1024, checking every claim invariant after every step, and prints the
 * figures (moved per join against the ideal, balance, time per claim call). The seed is
 * printed first and is in every failure; CLAIM_SIM_SEED=N replays a run.
 */
import { describe, expect, it } from 'vitest';
import { formatClaimSim, runClaimSim } from '../../scripts/claim-sim.js';

const seed = Number(process.env.CLAIM_SIM_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('claim simulation', () => {
  it(`grows to 1,000 nodes at Q=1024, some leaving, checked every step (seed ${seed})`, () => {
    console.log(`claim sim seed ${seed} (replay with CLAIM_SIM_SEED=${seed})`);
    const result = runClaimSim({ seed, nodesMax: 1000, partitionCount: 1024, leaveChance: 0.1 });
    console.log(formatClaimSim(result));
    const joins = result.steps.filter((s) => s.kind === 'join');
    // Beyond 16 nodes no join moved more than ⌊Q/n⌋ in any seed measured (the least
    // possible); 2 leaves room for an unlucky seed without hiding a regression.
    const late = joins.filter((s) => s.members > 16);
    expect(Math.max(...late.map((s) => s.moved - s.ideal)), `seed ${seed}`).toBeLessThanOrEqual(2);
    expect(result.milestones.map((m) => m.members)).toEqual([10, 100, 500, 1000]);
    for (const m of result.milestones) {
      expect(m.ownedMax - m.ownedMin, `seed ${seed} at ${m.members}`).toBeLessThanOrEqual(1);
    }
  });
});
