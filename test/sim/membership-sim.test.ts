/**
 * Membership as a seeded simulation over the pure core: random joins, leaves and
 * force-removes go through stage → plan → commit; transfers complete in random order and
 * interleave with further changes; rings spread by random pairwise gossip (reconcile).
 * After every step the ring invariants hold; at the end every node has the same ring,
 * nothing is pending, and ownership is balanced. A failure prints its seed.
 */
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../ring/core/gossip.js';
import {
  completeTransfer,
  planChanges,
  stageChange,
  transfersOf,
  type StagedChange,
} from '../../ring/core/membership.js';
import { checkRing, singleNodeRing, type Ring } from '../../ring/core/ring.js';
import { seededRandom } from './sim-transport.js';

type Pick = <T>(items: readonly T[]) => T;

function randomChange(claimant: Ring, rand: () => number, pick: Pick, nextId: () => string) {
  const roll = rand();
  const valid = claimant.members.filter((m) => m.status === 'valid').map((m) => m.nodeId);
  if (roll < 0.25 && valid.length < 12) {
    return { kind: 'join', nodeId: nextId(), address: '' } as StagedChange;
  }
  if (roll < 0.35 && valid.length > 2) {
    const kind = rand() < 0.8 ? 'leave' : 'force-remove';
    return { kind, nodeId: pick(valid) } as StagedChange;
  }
  return undefined;
}

function gossip(views: Map<string, Ring>, pick: Pick, rounds: number): void {
  const ids = [...views.keys()];
  for (let r = 0; r < rounds; r++) {
    for (const a of ids) {
      const b = pick(ids);
      const merged = reconcile(views.get(a)!, views.get(b)!);
      views.set(a, merged);
      views.set(b, merged);
    }
  }
}

function simulate(seed: number, q: number, steps: number) {
  const rand = seededRandom(seed);
  const pick: Pick = (items) => items[Math.floor(rand() * items.length)]!;
  let claimant: Ring = singleNodeRing('n0', q);
  const views = new Map<string, Ring>([['n0', claimant]]);
  let id = 1;
  for (let step = 0; step < steps; step++) {
    const change = randomChange(claimant, rand, pick, () => `n${id++}`);
    if (change) {
      const staged = stageChange(claimant, [], change);
      const plan = typeof staged === 'string' ? staged : planChanges(claimant, staged);
      if (typeof plan !== 'string') claimant = plan.ring;
      if (change.kind === 'join') views.set(change.nodeId, claimant);
    }
    const pending = transfersOf(claimant);
    if (pending.length > 0 && rand() < 0.9) {
      const t = pick(pending);
      claimant = completeTransfer(claimant, t.partition, t.to);
    }
    checkRing(claimant);
    views.set(claimant.claimant, reconcile(views.get(claimant.claimant) ?? claimant, claimant));
    gossip(views, pick, 1);
  }
  for (const t of transfersOf(claimant)) claimant = completeTransfer(claimant, t.partition, t.to);
  views.set(claimant.claimant, reconcile(views.get(claimant.claimant)!, claimant));
  gossip(views, pick, 30);
  return { claimant, views };
}

describe('membership simulation', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => 1000 + i * 7919);
  it.each(seeds)('converges and balances (seed %i, Q=64, 200 steps)', (seed) => {
    try {
      const { claimant, views } = simulate(seed, 64, 200);
      for (const view of views.values()) expect(view).toEqual(claimant);
      expect(transfersOf(claimant)).toEqual([]);
      const counts = new Map<string, number>();
      for (const owner of claimant.owners) counts.set(owner, (counts.get(owner) ?? 0) + 1);
      const n = claimant.members.length;
      expect(counts.size).toBe(n);
      for (const count of counts.values()) {
        expect(count).toBeGreaterThanOrEqual(Math.floor(64 / n));
        expect(count).toBeLessThanOrEqual(Math.ceil(64 / n));
      }
    } catch (error) {
      throw new Error(`membership simulation failed with seed ${seed}: ${String(error)}`, {
        cause: error,
      });
    }
  });
});
