/**
 * Claim decides which member owns each of the Q partitions when members join or leave. It
 * exists so that one pure function holds the three promises of the ring (balance, spacing,
 * least movement) and the claimant, the tests and the simulation all run the same code. It
 * must never read a clock, a random source or the network, never give a partition to a
 * non-member, and never return a ring that breaks balance or the spacing it promises
 * (`claimSpacing`): it asserts both before returning.
 *
 * How: first repair the current ring in place (the riak_core claim v4 idea of updating the
 * given ring and only solving from scratch when that fails). Partitions of departed nodes,
 * and those of a node that sit too close together, are freed; members below their share
 * take freed partitions, then partitions of members above their share, where they fit;
 * when nothing fits directly, a breadth-first search finds the shortest chain of shifts
 * (each member in the chain moves one partition) that ends in a fit. If the repair fails,
 * or the cluster is small enough to try cheaply, a from-scratch layout (`spacedPattern`)
 * is rotated and labelled to keep as many current owners as it can, and the result that
 * moves fewer partitions wins.
 */
import { assertPartitionCount } from './hash.js';

/** Default spacing target: any 4 consecutive partitions on distinct nodes (Riak's). */
export const TARGET_N_VAL_DEFAULT = 4;

/** Clusters up to this many members also try the from-scratch layout on every claim. */
const REBUILD_MEMBERS_MAX = 16;

/** Shifts of the from-scratch layout tried for larger clusters (all Q for small ones). */
const REBUILD_SHIFTS_MAX = 64;

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
 * the search finds: a ring that already holds both promises comes back unchanged.
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
  const t0 = performance.now();
  let best = claimRepair(owners, nodes, spacing);
  const t1 = performance.now();
  (globalThis as any).__claimStats = { repairMs: t1 - t0, repairMoves: best ? countMoves(owners, best) : -1 };
  if (best === null || nodes.length <= REBUILD_MEMBERS_MAX) {
    const rebuilt = claimRebuild(owners, nodes);
    (globalThis as any).__claimStats.rebuildMs = performance.now() - t1;
    (globalThis as any).__claimStats.rebuildMoves = countMoves(owners, rebuilt);
    if (best === null || countMoves(owners, rebuilt) < countMoves(owners, best)) best = rebuilt;
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
  };
  repairReleaseCrowded(work);
  for (const m of own) if (m !== FREE) work.count[m]!++;
  repairSetTargets(work);
  repairFillFree(work);
  repairTakeSurplus(work);
  while (work.target.some((t, m) => work.count[m]! < t)) {
    if (!repairShiftChain(work)) return null;
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

/** Whether member `m` may own partition `p` without breaking spacing (ignoring `except`). */
function fits(work: Work, m: number, p: number, except = -1): boolean {
  const { q, spacing, own } = work;
  for (let d = 1; d < spacing; d++) {
    const after = (p + d) % q;
    const before = (p - d + q) % q;
    if ((own[after] === m && after !== except) || (own[before] === m && before !== except)) {
      return false;
    }
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
    let best = FREE;
    for (const m of candidates(p)) if (best === FREE || deficit(work, m) > deficit(work, best)) best = m;
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
 * moves into the partition before it in the chain. A member moves locally when its only
 * partition near the target is the one it vacates, or from anywhere when it has none
 * near. The search ends when a member below its share fits the vacated partition.
 */
function repairShiftChain(work: Work): boolean {
  const { q, own } = work;
  const parent = new Int32Array(q).fill(-2);
  const queue: number[] = [];
  for (let p = 0; p < q; p++) {
    const m = own[p]!;
    if (m === FREE || work.count[m]! > work.target[m]!) {
      parent[p] = -1;
      queue.push(p);
    }
  }
  const takers: number[] = [];
  work.target.forEach((t, m) => {
    if (work.count[m]! < t) takers.push(m);
  });
  let pending = Array.from({ length: q }, (_, p) => p).filter((p) => parent[p] === -2);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    const movers = chainMovers(work, parent, v);
    const taker = takers.find((m) => !movers.has(m) && fits(work, m, v));
    if (taker !== undefined) {
      chainApply(work, parent, v, taker);
      return true;
    }
    const near = windowMembers(work, v);
    for (const [m, at] of near) {
      if (at >= 0 && !movers.has(m) && parent[at] === -2) {
        parent[at] = v;
        queue.push(at);
      }
    }
    pending = pending.filter((a) => {
      const m = own[a]!;
      if (parent[a] !== -2) return false;
      if (near.has(m) || movers.has(m)) return true;
      parent[a] = v;
      queue.push(a);
      return false;
    });
  }
  return false;
}

/**
 * Members with partitions within the spacing of `v` (not v itself), each with its single
 * such partition, or -1 when it has more than one there (so it cannot move into v).
 */
function windowMembers(work: Work, v: number): Map<number, number> {
  const { q, own } = work;
  const found = new Map<number, number>();
  for (let d = 1 - work.spacing; d < work.spacing; d++) {
    const p = (v + d + q) % q;
    const m = own[p]!;
    if (d === 0 || m === FREE) continue;
    found.set(m, found.has(m) ? -1 : p);
  }
  return found;
}

/** Members that already move in the chain ending at state `v`. */
function chainMovers(work: Work, parent: Int32Array, v: number): Set<number> {
  const movers = new Set<number>();
  for (let x = v; parent[x]! >= 0; x = parent[x]!) movers.add(work.own[x]!);
  return movers;
}

/** Performs the chain ending at `v`: each mover shifts one step, and `taker` takes v. */
function chainApply(work: Work, parent: Int32Array, v: number, taker: number): void {
  const { own, count } = work;
  const states: number[] = [];
  for (let x = v; x >= 0; x = parent[x]!) states.push(x);
  const movers = states.map((x) => own[x]!);
  const root = states[states.length - 1]!;
  const rootOwner = own[root]!;
  for (let i = states.length - 1; i > 0; i--) own[states[i]!] = movers[i - 1]!;
  own[v] = taker;
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
  const step = n <= REBUILD_MEMBERS_MAX ? 1 : Math.max(1, Math.floor(q / REBUILD_SHIFTS_MAX));
  let best = { kept: -1, shift: 0, memberOf: [] as number[] };
  for (let shift = 0; shift < q; shift += step) {
    const labelled = rebuildLabels(pattern, old, shift, n);
    if (labelled.kept > best.kept) best = { ...labelled, shift };
  }
  return owners.map((_, p) => nodes[best.memberOf[pattern[(p + best.shift) % q]!]!]!);
}

/** Greedy labelling: the (label, member) pairs that agree most often are matched first. */
function rebuildLabels(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): { kept: number; memberOf: number[] } {
  const q = pattern.length;
  const agree = new Map<number, number>();
  for (let p = 0; p < q; p++) {
    const m = old[p]!;
    if (m === FREE) continue;
    const key = pattern[(p + shift) % q]! * n + m;
    agree.set(key, (agree.get(key) ?? 0) + 1);
  }
  const pairs = [...agree].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const memberOf = new Array<number>(n).fill(FREE);
  const taken = new Uint8Array(n);
  let kept = 0;
  for (const [key, together] of pairs) {
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
