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
 * - movement, measured rather than proved (the tests assert it with a little room): a
 *   join to n members moves ⌊Q/n⌋ (the least possible) plus at most 3, except the join
 *   that first reaches target_n_val members. With exactly that many members the only
 *   spaced balanced rings are round robin, so that join relays the ring: at most
 *   Q - Q/n (proved), 0.58 Q measured at Q=1024. A leave to n > 2 × target_n_val moves
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
import { assertPartitionCount } from './hash.js';

/** Default spacing target: any 4 consecutive partitions on distinct nodes (Riak's). */
export const TARGET_N_VAL_DEFAULT = 4;

/** Clusters up to this many members also try the from-scratch layout on every claim. */
const REBUILD_MEMBERS_MAX = 16;

/** Clusters up to this many members try every labelling of the from-scratch layout. */
const EXACT_LABELS_MAX = 6;

/** Shifts of the from-scratch layout tried for larger clusters (all Q for small ones). */
const REBUILD_SHIFTS_MAX = 64;

/** Shift-chain states one repair may expand, per partition, before it gives up. */
const CHAIN_STATES_PER_PARTITION = 96;

/** Marks a partition with no owner during repair. */
const FREE = -1;

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
 * Whether `spacedPattern(q, n)` keeps every window of `w` distinct. The layout is rows of
 * n labels with `n - q mod n` cells deleted in blocks; a window between two uses of one
 * label spans two adjacent rows and loses at most the larger of their two blocks.
 */
function patternSpacingHolds(q: number, n: number, w: number): boolean {
  if (w > n) return false;
  const remainder = q % n;
  if (remainder === 0) return true;
  const rows = Math.floor(q / n) + 1;
  return Math.ceil((n - remainder) / rows) <= n - w;
}

/**
 * A balanced layout from scratch: the label (0..n-1) of each of the q partitions. Label
 * c sits at column c of rows of n; the `rows * n - q` surplus cells are deleted in
 * contiguous blocks, one block per row, each block just below the previous one, so every
 * label is deleted at most once (balance) and the gaps between uses of a label shrink by
 * at most one block (spacing, see `claimSpacing`).
 */
export function spacedPattern(q: number, n: number): number[] {
  const rows = Math.ceil(q / n);
  const deletions = rows * n - q;
  const labels: number[] = [];
  let blockEnd = n;
  for (let row = 0; row < rows; row++) {
    const size = Math.floor(deletions / rows) + (row < deletions % rows ? 1 : 0);
    const blockStart = blockEnd - size;
    for (let c = 0; c < n; c++) if (c < blockStart || c >= blockEnd) labels.push(c);
    blockEnd = blockStart;
  }
  return labels;
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
  const spacing = claimSpacing(q, nodes.length, options.targetNVal ?? TARGET_N_VAL_DEFAULT);
  // With exactly `spacing` members the only balanced spaced rings are round-robin ones,
  // so the from-scratch layout is the answer and the repair is not tried.
  const repaired = nodes.length === spacing ? null : claimRepair(owners, nodes, spacing);
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

/** The working state of a repair: owner per partition as a member index, or FREE. */
interface Work {
  readonly q: number;
  readonly spacing: number;
  readonly own: Int32Array;
  readonly count: Int32Array;
  readonly target: Int32Array;
  /** Shift-chain states the repair may still expand (keeps claim fast; see claim). */
  statesLeft: number;
}

/** Repairs `owners` into a claimed ring, or null when the search runs out of moves. */
function claimRepair(
  owners: readonly string[],
  nodes: readonly string[],
  spacing: number,
): string[] | null {
  const q = owners.length;
  const n = nodes.length;
  const index = new Map(nodes.map((id, i) => [id, i]));
  const own = Int32Array.from(owners, (id) => index.get(id) ?? FREE);
  const work: Work = {
    q,
    spacing,
    own,
    count: new Int32Array(n),
    target: new Int32Array(n),
    statesLeft: CHAIN_STATES_PER_PARTITION * q,
  };
  repairReleaseCrowded(work);
  for (const m of own) if (m !== FREE) work.count[m]!++;
  repairSetTargets(work);
  repairFillFree(work);
  repairTakeSurplus(work);
  for (;;) {
    const takers = Array.from(work.target.keys()).filter((m) => deficit(work, m) > 0);
    if (takers.length === 0) break;
    if (!repairShiftChain(work, takers)) return null;
  }
  return Array.from(own, (m) => nodes[m]!);
}

/** Partitions of each member, ascending. */
function positionsByMember(own: Int32Array, n: number): number[][] {
  const lists: number[][] = Array.from({ length: n }, () => []);
  own.forEach((m, p) => {
    if (m !== FREE) lists[m]!.push(p);
  });
  return lists;
}

/**
 * Frees the fewest partitions (greedily) so that no member holds two partitions closer
 * than the spacing. The walk starts after each member's widest gap, which is where a
 * greedy keep loses least.
 */
function repairReleaseCrowded(work: Work): void {
  const { q, spacing, own } = work;
  if (spacing <= 1) return;
  for (const list of positionsByMember(own, work.count.length)) {
    if (list.length < 2) continue;
    let start = 0;
    let widest = -1;
    list.forEach((p, i) => {
      const gap = (p - list[(i + list.length - 1) % list.length]! + q) % q || q;
      if (gap > widest) [widest, start] = [gap, i];
    });
    const kept: number[] = [list[start]!];
    for (let j = 1; j < list.length; j++) {
      const p = list[(start + j) % list.length]!;
      if ((p - kept[kept.length - 1]! + q) % q >= spacing) kept.push(p);
      else own[p] = FREE;
    }
    while (kept.length > 1 && (kept[0]! - kept[kept.length - 1]! + q) % q < spacing) {
      own[kept.pop()!] = FREE;
    }
  }
}

/** Shares: ⌊Q/n⌋ each, and the extra ones go to the members holding most (fewest moves). */
function repairSetTargets(work: Work): void {
  const n = work.count.length;
  const base = Math.floor(work.q / n);
  const order = Array.from({ length: n }, (_, m) => m);
  order.sort((a, b) => work.count[b]! - work.count[a]! || a - b);
  order.forEach((m, rank) => {
    work.target[m] = base + (rank < work.q % n ? 1 : 0);
  });
}

/** Whether member `m` may own partition `p` without breaking spacing. */
function fits(work: Work, m: number, p: number): boolean {
  const { q, spacing, own } = work;
  for (let d = 1; d < spacing; d++) {
    if (own[(p + d) % q] === m || own[(p - d + q) % q] === m) return false;
  }
  return true;
}

function deficit(work: Work, m: number): number {
  return work.target[m]! - work.count[m]!;
}

/**
 * Gives free partitions to members below their share where they fit, the most
 * constrained partition first and the member furthest below its share first.
 */
function repairFillFree(work: Work): void {
  const { own } = work;
  const n = work.count.length;
  const candidates = (p: number) => {
    const found: number[] = [];
    for (let m = 0; m < n; m++) if (deficit(work, m) > 0 && fits(work, m, p)) found.push(m);
    return found;
  };
  const free: number[] = [];
  own.forEach((m, p) => {
    if (m === FREE) free.push(p);
  });
  const choices = new Map(free.map((p) => [p, candidates(p).length]));
  free.sort((a, b) => choices.get(a)! - choices.get(b)! || a - b);
  for (const p of free) {
    const best = candidates(p).reduce(
      (a, m) => (a === FREE || deficit(work, m) > deficit(work, a) ? m : a),
      FREE,
    );
    if (best === FREE) continue;
    own[p] = best;
    work.count[best]!++;
  }
}

/**
 * Members below their share take partitions from members above theirs. Each pick is the
 * partition furthest from the taker's own (capped at the ideal gap Q/share, beyond which
 * all are equal), then the one whose owner is furthest above its share, so that takers
 * spread evenly round the ring and donors give evenly.
 */
function repairTakeSurplus(work: Work): void {
  const { q, own, count, target } = work;
  const n = count.length;
  const takers = Array.from({ length: n }, (_, m) => m).filter((m) => deficit(work, m) > 0);
  takers.sort((a, b) => deficit(work, b) - deficit(work, a) || a - b);
  for (const m of takers) {
    const gapIdeal = Math.max(work.spacing, Math.floor(q / Math.max(1, target[m]!)));
    const near = new Int32Array(q).fill(q);
    own.forEach((owner, p) => {
      if (owner === m) nearUpdate(near, p);
    });
    while (deficit(work, m) > 0) {
      let best = -1;
      let bestScore = -1;
      for (let p = 0; p < q; p++) {
        const owner = own[p]!;
        if (owner === FREE || owner === m || near[p]! < work.spacing) continue;
        const surplus = count[owner]! - target[owner]!;
        if (surplus <= 0) continue;
        const score = Math.min(near[p]!, gapIdeal) * (q + 1) + Math.min(surplus, q);
        if (score > bestScore) [best, bestScore] = [p, score];
      }
      if (best < 0) break;
      count[own[best]!]!--;
      own[best] = m;
      count[m]!++;
      nearUpdate(near, best);
    }
  }
}

/** Lowers `near[x]` to the ring distance from x to the newly owned partition `p`. */
function nearUpdate(near: Int32Array, p: number): void {
  const q = near.length;
  for (let x = 0; x < q; x++) {
    const d = Math.abs(x - p);
    near[x] = Math.min(near[x]!, d, q - d);
  }
}

/**
 * One unit of progress by the shortest chain of shifts. A breadth-first search runs
 * backwards from every partition that can be given up for free (a free one, or one of a
 * member above its share): a state is a partition about to be vacated, and its owner
 * moves into the partition one step nearer the start of the chain. A member moves
 * locally when its only partition near the target is the one it vacates, or from
 * anywhere when it has none near. A member may move more than once in a chain (each
 * check sees the chain's earlier moves). The search ends when a member below its share
 * fits the vacated partition.
 */
function repairShiftChain(work: Work, takers: readonly number[]): boolean {
  const { q, own } = work;
  const chain: Chain = { pos: [], from: [] };
  const root = new Uint8Array(q);
  for (let p = 0; p < q; p++) {
    const m = own[p]!;
    if (m === FREE || work.count[m]! > work.target[m]!) {
      root[p] = 1;
      chain.pos.push(p);
      chain.from.push(-1);
    }
  }
  const byMember = positionsByMember(own, work.count.length);
  let unjumped = byMember.map((_, m) => m);
  const near: Near = { at: new Int32Array(byMember.length).fill(NOT_NEAR), members: [] };
  const seen = new Set<number>();
  const visit = (at: number, state: number) => {
    const key = at * q + chain.pos[state]!;
    if (root[at] || seen.has(key) || chainHas(chain, state, at)) return;
    seen.add(key);
    chain.pos.push(at);
    chain.from.push(state);
  };
  for (let state = 0; state < chain.pos.length && work.statesLeft-- > 0; state++) {
    chainWindow(work, chain, state, near);
    let taker = -1;
    for (const m of takers) {
      if (near.at[m] !== NOT_NEAR) continue;
      if (taker < 0 || deficit(work, m) > deficit(work, taker)) taker = m;
    }
    if (taker >= 0) {
      chainApply(work, chain, state, taker);
      return true;
    }
    for (const m of near.members) if (near.at[m]! >= 0) visit(near.at[m]!, state);
    unjumped = unjumped.filter((m) => {
      if (near.at[m] !== NOT_NEAR) return true;
      for (const at of byMember[m]!) visit(at, state);
      return false;
    });
  }
  return false;
}

/** Marks a member with no partition near the one a chain state vacates. */
const NOT_NEAR = -2;

/** The search tree of `repairShiftChain`: a vacated partition and the state it serves. */
interface Chain {
  readonly pos: number[];
  readonly from: number[];
}

/** Scratch for `chainWindow`: per member, NOT_NEAR, -1 (pinned) or its one partition. */
interface Near {
  readonly at: Int32Array;
  readonly members: number[];
}

/** Whether partition `p` is already vacated on the chain ending at `state`. */
function chainHas(chain: Chain, state: number, p: number): boolean {
  for (let x = state; x >= 0; x = chain.from[x]!) if (chain.pos[x] === p) return true;
  return false;
}

/**
 * Fills `near` with the members that will own partitions within the spacing of the
 * state's partition once its chain has moved (the partition itself is vacated): each
 * with its single such partition, or -1 when it has more than one there or gained one
 * in the chain (so it cannot move into the partition).
 */
function chainWindow(work: Work, chain: Chain, state: number, near: Near): void {
  const { q, own } = work;
  for (const m of near.members) near.at[m] = NOT_NEAR;
  near.members.length = 0;
  const v = chain.pos[state]!;
  for (let d = 1 - work.spacing; d < work.spacing; d++) {
    const p = (v + d + q) % q;
    let m = own[p]!;
    let gained = false;
    for (let x = state; x >= 0; x = chain.from[x]!) {
      if (chain.pos[x] !== p) continue;
      m = x === state ? FREE : own[chain.pos[chainChild(chain, state, x)]!]!;
      gained = true;
    }
    if (d === 0 || m === FREE) continue;
    if (near.at[m] === NOT_NEAR) near.members.push(m);
    near.at[m] = near.at[m] !== NOT_NEAR || gained ? -1 : p;
  }
}

/** The state just after `x` on the chain from `state` back to its root. */
function chainChild(chain: Chain, state: number, x: number): number {
  let child = state;
  while (chain.from[child] !== x) child = chain.from[child]!;
  return child;
}

/** Performs the chain ending at `state`: each mover shifts one step, and `taker` fills. */
function chainApply(work: Work, chain: Chain, state: number, taker: number): void {
  const { own, count } = work;
  const states: number[] = [];
  for (let x = state; x >= 0; x = chain.from[x]!) states.push(chain.pos[x]!);
  const movers = states.map((p) => own[p]!);
  const rootOwner = movers[movers.length - 1]!;
  for (let i = states.length - 1; i > 0; i--) own[states[i]!] = movers[i - 1]!;
  own[states[0]!] = taker;
  count[taker]!++;
  if (rootOwner !== FREE) count[rootOwner]!--;
}

/**
 * The from-scratch answer: `spacedPattern` turned to the shift and labelled with the
 * members that keep the most partitions where they are.
 */
function claimRebuild(owners: readonly string[], nodes: readonly string[]): string[] {
  const q = owners.length;
  const n = nodes.length;
  const pattern = spacedPattern(q, n);
  const index = new Map(nodes.map((id, i) => [id, i]));
  const old = Int32Array.from(owners, (id) => index.get(id) ?? FREE);
  // Round robin (n divides Q) turned by any shift is a relabelling of itself.
  const shifts = q % n === 0 ? 1 : n <= REBUILD_MEMBERS_MAX ? q : REBUILD_SHIFTS_MAX;
  let best = { kept: -1, shift: 0, memberOf: [] as number[] };
  for (let i = 0; i < shifts; i++) {
    const shift = Math.floor((i * q) / shifts);
    const labelled =
      n <= EXACT_LABELS_MAX
        ? rebuildLabelsExact(pattern, old, shift, n)
        : rebuildLabels(pattern, old, shift, n);
    if (labelled.kept > best.kept) best = { ...labelled, shift };
  }
  return owners.map((_, p) => nodes[best.memberOf[pattern[(p + best.shift) % q]!]!]!);
}

/** Best labelling by trying every one (n ≤ EXACT_LABELS_MAX, so at most 720). */
function rebuildLabelsExact(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): { kept: number; memberOf: number[] } {
  const q = pattern.length;
  const agree = new Int32Array(n * n);
  for (let p = 0; p < q; p++) {
    if (old[p] !== FREE) agree[pattern[(p + shift) % q]! * n + old[p]!]!++;
  }
  const best = { kept: -1, memberOf: [] as number[] };
  const memberOf: number[] = [];
  const taken = new Uint8Array(n);
  const search = (label: number, kept: number) => {
    if (label === n) {
      if (kept > best.kept) [best.kept, best.memberOf] = [kept, [...memberOf]];
      return;
    }
    for (let m = 0; m < n; m++) {
      if (taken[m]) continue;
      taken[m] = 1;
      memberOf.push(m);
      search(label + 1, kept + agree[label * n + m]!);
      memberOf.pop();
      taken[m] = 0;
    }
  };
  search(0, 0);
  return best;
}

/** Greedy labelling: the (label, member) pairs that agree most often are matched first. */
function rebuildLabels(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): { kept: number; memberOf: number[] } {
  const pairs = agreeingPairs(pattern, old, shift, n);
  const memberOf = new Array<number>(n).fill(FREE);
  const taken = new Uint8Array(n);
  let kept = 0;
  for (let i = pairs.length - 1; i >= 0; i--) {
    const together = Math.floor(pairs[i]! / (n * n));
    const key = n * n - 1 - (pairs[i]! % (n * n));
    const label = Math.floor(key / n);
    const m = key % n;
    if (memberOf[label] !== FREE || taken[m]) continue;
    memberOf[label] = m;
    taken[m] = 1;
    kept += together;
  }
  let next = 0;
  for (let label = 0; label < n; label++) {
    if (memberOf[label] !== FREE) continue;
    while (taken[next]) next++;
    memberOf[label] = next;
    taken[next] = 1;
  }
  return { kept, memberOf };
}

/**
 * Every (label, member) pair that agrees somewhere, encoded as one number that sorts by
 * agreement and then by pair (together * n² + n² - 1 - (label * n + member)), ascending.
 */
function agreeingPairs(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): Float64Array {
  const q = pattern.length;
  const size = n * n;
  const dense = size <= q * 4 ? new Int32Array(size) : null;
  const sparse = new Map<number, number>();
  for (let p = 0; p < q; p++) {
    const m = old[p]!;
    if (m === FREE) continue;
    const key = pattern[(p + shift) % q]! * n + m;
    if (dense) dense[key]!++;
    else sparse.set(key, (sparse.get(key) ?? 0) + 1);
  }
  const found: number[] = [];
  if (dense) {
    for (let key = 0; key < size; key++) {
      if (dense[key]! > 0) found.push(dense[key]! * size + (size - 1 - key));
    }
  } else {
    for (const [key, together] of sparse) found.push(together * size + (size - 1 - key));
  }
  return Float64Array.from(found).sort();
}
