/**
 * Claim decides which member owns each of the Q partitions when members join or leave. It
 * exists so that one pure function holds the three promises of the ring (balance, spacing,
 * least movement) and the claimant, the tests and the simulation all run the same code. It
 * must never read a clock, a random source or the network, never give a partition to a
 * non-member, and never return a ring that breaks balance or the spacing it promises: it
 * asserts both before returning. claim-invariants.ts checks exactly these promises.
 *
 * The promises, for Q a power of two from 8 to 1,024 and n members:
 * - balance, always: every member owns ⌊Q/n⌋ or ⌈Q/n⌉ partitions;
 * - spacing, always: any `claimSpacing(Q, n, targetNVal)` consecutive partitions,
 *   wrapping round the ring, have distinct owners. With the default target_n_val of 4
 *   that is 4 from 4 members on, 2 for 2 or 3 members (3 never divides Q), 1 for 1;
 * - distinct replicas with fewer members than target_n_val (3 with the default): every
 *   member in every window of n consecutive partitions but at most 2 (the windows round
 *   the cells the layout deletes because n does not divide Q; measured, for every Q), so
 *   n_val = n replicas sit on n nodes for all but 2 of Q preflists. The spacing promise
 *   alone (2 for 3 members) allowed two replicas of most preflists on one node;
 * - movement, measured rather than proved (the tests assert it with a little room): a
 *   join to n members moves ⌊Q/n⌋ (the least possible) plus at most 3, except joins to
 *   target_n_val members or fewer. With exactly that many members the only spaced balanced
 *   rings are round robin, and below it only the from-scratch layout keeps replicas on
 *   distinct nodes, so those joins relay the ring: at most Q - Q/n (proved); 2 → 3
 *   members moves 0.67 Q and 3 → 4 0.75 Q measured at Q=1024. A leave to n > 2 × target_n_val moves
 *   the leaver's share plus at most 3; between target_n_val and twice it, where spacing
 *   leaves little slack, up to about 3 times the share (1.9 times at Q=1024); to n ≤ 6
 *   it never moves more than Q - ⌊(Q - share)/n⌋ (proved: the best labelling of the
 *   from-scratch layout keeps at least the average one).
 *
 * How: first repair the current ring in place (the riak_core claim v4 idea of updating the
 * given ring and only solving from scratch when that fails). Partitions of departed nodes,
 * and those of a node that sit too close together, are freed; members below their share
 * take freed partitions, then partitions of members above their share, where they fit;
 * when nothing fits directly, a breadth-first search finds the shortest chain of shifts
 * (each member in the chain moves one partition) that ends in a fit. If the repair fails,
 * or the cluster is small and the repair moved more than the least possible, a
 * from-scratch layout (`spacedPattern`) is turned and labelled to keep as many current
 * owners as it can, and whichever moves fewer partitions wins.
 */
import {
  claimRebuild,
  patternSpacingHolds,
  REBUILD_MEMBERS_MAX,
  spacedPattern,
} from './claim-rebuild.js';
import { claimRepair } from './claim-repair.js';
import { assertPartitionCount } from './hash.js';

export { spacedPattern };

/** Default spacing target: any 4 consecutive partitions on distinct nodes (Riak's). */
export const TARGET_N_VAL_DEFAULT = 4;

/** Options of `claim`. */
export interface ClaimOptions {
  /** Consecutive partitions that should sit on distinct nodes (riak's target_n_val). */
  readonly targetNVal?: number;
}

/**
 * The spacing claim guarantees for `memberCount` members on `partitionCount` partitions:
 * every window of this many consecutive partitions (wrapping round the ring) has distinct
 * owners. It is `targetNVal` whenever `spacedPattern` can meet it with balance, and
 * otherwise the largest smaller window it can meet. With the default target of 4 and Q a
 * power of two from 8 to 1,024 this is 4 for 4 or more members, 2 for 2 or 3 members
 * (3 members cannot space by 3, as 3 never divides Q), and 1 for one member.
 */
export function claimSpacing(
  partitionCount: number,
  memberCount: number,
  targetNVal: number = TARGET_N_VAL_DEFAULT,
): number {
  assertTargetNVal(targetNVal);
  for (let w = Math.min(targetNVal, memberCount, partitionCount); w > 1; w--) {
    if (patternSpacingHolds(partitionCount, memberCount, w)) return w;
  }
  return 1;
}

/** Throws unless `targetNVal` is a whole number of at least 1. */
export function assertTargetNVal(targetNVal: number): void {
  if (!Number.isInteger(targetNVal) || targetNVal < 1) {
    throw new RangeError(`target_n_val must be a whole number of at least 1: ${targetNVal}`);
  }
}

/**
 * The new owner of each partition. `owners` is the current owner of each of the Q
 * partitions (Q a power of two from 8 to 1,024); owners that are not in `members` lose
 * all they own. `members` are the nodes that should own partitions; order and duplicates
 * do not matter, and the result depends only on the inputs. The result is balanced
 * (each member owns ⌊Q/n⌋ or ⌈Q/n⌉), spaced (every `claimSpacing(Q, n, targetNVal)`
 * consecutive partitions, wrapping, have distinct owners) and moves as few partitions as
 * the search finds (see the module comment for the figures): a ring that already holds
 * both promises comes back unchanged. Well under a second for Q=1024 and 1,000 members.
 */
export function claim(
  owners: readonly string[],
  members: readonly string[],
  options: ClaimOptions = {},
): string[] {
  const q = owners.length;
  assertPartitionCount(q);
  const nodes = [...new Set(members)].sort(compareIds);
  if (nodes.length === 0) throw new RangeError('claim needs at least one member');
  const targetNVal = options.targetNVal ?? TARGET_N_VAL_DEFAULT;
  const spacing = claimSpacing(q, nodes.length, targetNVal);
  // With exactly `spacing` members the only balanced spaced rings are round-robin ones, so
  // the from-scratch layout is the answer and the repair is not tried. Nor with fewer
  // members than the target: a preflist then wants every member, and only the from-scratch
  // layout (round robin less a few cells) gives all but a few windows of n distinct owners;
  // a repair keeps the spacing that divisibility allows (2 for 3 members) and no more, and
  // put two of three replicas of most preflists on one node of a 3-node cluster.
  const relay = nodes.length === spacing || nodes.length < targetNVal;
  const repaired = relay ? null : claimRepair(owners, nodes, spacing);
  let best = repaired ?? claimRebuild(owners, nodes);
  const rebuildWorthTrying =
    repaired !== null &&
    nodes.length <= REBUILD_MEMBERS_MAX &&
    countMoves(owners, repaired) > movesFloor(owners, nodes);
  if (rebuildWorthTrying) {
    const rebuilt = claimRebuild(owners, nodes);
    if (countMoves(owners, rebuilt) < countMoves(owners, best)) best = rebuilt;
  }
  assertClaimed(best, nodes, spacing);
  return best;
}

/** How many partitions have a different owner in `after` than in `before`. */
export function countMoves(before: readonly string[], after: readonly string[]): number {
  let moves = 0;
  for (let p = 0; p < before.length; p++) if (before[p] !== after[p]) moves++;
  return moves;
}

/**
 * The fewest partitions any claim must move: those of departed nodes and those above a
 * member's ⌈Q/n⌉, or the shortfall of members below ⌊Q/n⌋ if that is more.
 */
export function movesFloor(owners: readonly string[], members: readonly string[]): number {
  const nodes = new Set(members);
  const counts = new Map<string, number>([...nodes].map((id) => [id, 0]));
  let departed = 0;
  for (const id of owners) {
    if (nodes.has(id)) counts.set(id, counts.get(id)! + 1);
    else departed++;
  }
  const low = Math.floor(owners.length / nodes.size);
  const high = Math.ceil(owners.length / nodes.size);
  let shed = 0;
  let short = 0;
  for (const count of counts.values()) {
    shed += Math.max(0, count - high);
    short += Math.max(0, low - count);
  }
  return Math.max(departed + shed, short);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The postcondition of claim; a failure here is a bug in this module. */
function assertClaimed(owners: readonly string[], nodes: readonly string[], spacing: number) {
  const q = owners.length;
  const counts = new Map<string, number>(nodes.map((id) => [id, 0]));
  for (const id of owners) counts.set(id, (counts.get(id) ?? Number.NaN) + 1);
  const low = Math.floor(q / nodes.length);
  for (const [id, count] of counts) {
    if (!(count === low || count === low + (q % nodes.length === 0 ? 0 : 1))) {
      throw new Error(`claim: ${id} owns ${count} of ${q} partitions`);
    }
  }
  for (let p = 0; p < q; p++) {
    for (let d = 1; d < spacing; d++) {
      if (owners[p] === owners[(p + d) % q]) throw new Error(`claim: spacing broken at ${p}`);
    }
  }
}
