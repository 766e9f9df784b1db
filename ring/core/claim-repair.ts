/**
 * Claim, part one: repairing the current ring in place (the riak_core claim v4 idea).
 * Freed partitions go to members below their share; when nothing fits, a breadth-first
 * search finds the shortest chain of one-partition shifts that ends in a fit. Pure, like
 * claim.ts, which documents the promises and decides between this and the rebuild.
 */

/** A partition with no owner in a repair. */
export /** Marks a partition with no owner during repair. */
const FREE = -1;

export /** Shift-chain states one repair may expand, per partition, before it gives up. */
const CHAIN_STATES_PER_PARTITION = 96;

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
export function claimRepair(
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
