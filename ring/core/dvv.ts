/**
 * Dotted version vectors, per sibling (Preguiça, Baquero, Almeida, Fonte, Gonçalves, "Dotted
 * Version Vectors: Logical Clocks for Optimistic Replication", 2010): the causality of every
 * mutable value. Each sibling carries the dot that names its own write and the version vector
 * of what its writer had seen, so a replica can tell an overwrite from a concurrent write even
 * when one actor (a vnode) coordinates both. Plain per-server vector clocks cannot: two clients
 * writing with the same stale context get the same clock and one write silently vanishes.
 * riak_core's `dvvset` is the compact form of the same idea; this form keeps one dot and one
 * past per sibling, which is simpler to reason about and to test.
 *
 * It must never read time, never look inside values (a tombstone is just a value to it), and
 * never drop a sibling unless some write that saw it replaces it. Its callers must never let an
 * actor forget its own counters: a replica whose data was wiped needs a fresh actor id (Riak's
 * per-key actor epochs), or its new dots would repeat old ones and be mistaken for seen writes.
 */

/** Actor id → the highest counter of that actor seen (absent means 0). */
export type VersionVector = Readonly<Record<string, number>>;

/** The name of one write: the coordinating actor and that actor's counter (from 1). */
export type Dot = readonly [actor: string, counter: number];

/** One write that no other known write has seen. */
export interface Sibling<T> {
  /** The name of this write. */
  readonly dot: Dot;
  /** What the writer had seen: the context it wrote with. Never covers `dot`. */
  readonly past: VersionVector;
  /** Opaque to this module; a tombstone is whatever value the caller chooses. */
  readonly value: T;
}

/**
 * The state of one key on one replica: concurrent siblings (at most one per causally-unrelated
 * write).
 */
export interface Versioned<T> {
  /** Sorted by dot (actor, then counter), so that equal states are deeply equal. */
  readonly siblings: readonly Sibling<T>[];
}

/** The state of a key no replica has written: no siblings. */
export function emptyVersioned<T>(): Versioned<T> {
  return { siblings: [] };
}

/** The counter of `actor` in `vv`, or 0; own properties only, so `__proto__` is an actor. */
function counterOf(vv: VersionVector, actor: string): number {
  return Object.hasOwn(vv, actor) ? (vv[actor] ?? 0) : 0;
}

/** Throws unless `vv` maps actors to non-negative safe integers. */
function assertVector(vv: VersionVector, what: string): void {
  for (const [actor, counter] of Object.entries(vv)) {
    if (!Number.isSafeInteger(counter) || counter < 0) {
      throw new RangeError(`dvv: ${what} has counter ${String(counter)} for ${actor}`);
    }
  }
}

/** A copy of `vv` with actors sorted and zero counters dropped: one encoding per meaning. */
function canonicalVector(vv: VersionVector): VersionVector {
  const entries = Object.entries(vv).filter(([, counter]) => counter > 0);
  entries.sort(([x], [y]) => compareStrings(x, y));
  return Object.fromEntries(entries);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDots(a: Dot, b: Dot): number {
  return compareStrings(a[0], b[0]) || a[1] - b[1];
}

function sameVector(a: VersionVector, b: VersionVector): boolean {
  return descends(a, b) && descends(b, a);
}

/** Whether `a` has seen every event `b` has: `a >= b` pointwise. */
export function descends(a: VersionVector, b: VersionVector): boolean {
  for (const actor of Object.keys(b)) {
    if (counterOf(a, actor) < counterOf(b, actor)) return false;
  }
  return true;
}

/** The pointwise maximum of two version vectors, in canonical form. */
export function joinVectors(a: VersionVector, b: VersionVector): VersionVector {
  const joined = new Map(Object.entries(a));
  for (const [actor, counter] of Object.entries(b)) {
    joined.set(actor, Math.max(counter, joined.get(actor) ?? 0));
  }
  return canonicalVector(Object.fromEntries(joined));
}

/** Whether `vv` has seen the write named `dot`: `vv[actor] >= counter`. */
export function covers(vv: VersionVector, dot: Dot): boolean {
  return counterOf(vv, dot[0]) >= dot[1];
}

/**
 * What a reader passes back as the context of its next write: the join of every sibling's past
 * and dot.
 */
export function contextOf<T>(v: Versioned<T>): VersionVector {
  let context: VersionVector = {};
  for (const sibling of v.siblings) {
    context = joinVectors(context, joinVectors(sibling.past, { [sibling.dot[0]]: sibling.dot[1] }));
  }
  return context;
}

/**
 * A coordinating replica (actor) records a client write made with `context`: a new sibling
 * whose dot is (actor, the next counter for actor — greater than any counter of actor in v or in
 * context), whose past is `context`; siblings whose dot the context covers are discarded
 * (overwritten); the rest stay as concurrent siblings.
 *
 * `context` is what the client read (`contextOf`), or `{}` for a blind write. Throws a
 * RangeError on an empty actor or a counter that is not a non-negative safe integer.
 */
export function update<T>(
  v: Versioned<T>,
  context: VersionVector,
  actor: string,
  value: T,
): Versioned<T> {
  if (actor.length === 0) throw new RangeError('dvv: empty actor');
  assertVector(context, 'context');
  let last = counterOf(context, actor);
  for (const { dot, past } of v.siblings) {
    last = Math.max(last, counterOf(past, actor), dot[0] === actor ? dot[1] : 0);
  }
  const added: Sibling<T> = { dot: [actor, last + 1], past: canonicalVector(context), value };
  const kept = v.siblings.filter((sibling) => !covers(context, sibling.dot));
  return { siblings: [...kept, added].sort((x, y) => compareDots(x.dot, y.dot)) };
}

/**
 * Merges two replicas' states of one key: union of siblings, minus any sibling whose dot is
 * covered by another sibling's past (obsolete), deduplicated by dot. Commutative, associative
 * and idempotent on states that `update` and `sync` produced.
 *
 * A dot names one write, so two siblings with the same dot must have the same past (values are
 * opaque and not compared); a mismatch means an actor reused a counter, and throws.
 */
export function sync<T>(a: Versioned<T>, b: Versioned<T>): Versioned<T> {
  const byDot = new Map<string, Sibling<T>>();
  for (const sibling of [...a.siblings, ...b.siblings]) {
    const key = JSON.stringify(sibling.dot);
    const seen = byDot.get(key);
    if (seen === undefined) byDot.set(key, sibling);
    else if (!sameVector(seen.past, sibling.past)) {
      throw new Error(`dvv: dot ${key} names two writes with different pasts (reused counter)`);
    }
  }
  const union = [...byDot.values()];
  const live = union.filter((x) => !union.some((y) => covers(y.past, x.dot)));
  return { siblings: live.sort((x, y) => compareDots(x.dot, y.dot)) };
}

/** Whether `a` has seen everything `b` has (so replacing b by a loses nothing). */
export function dominates<T>(a: Versioned<T>, b: Versioned<T>): boolean {
  return b.siblings.every((x) =>
    a.siblings.some((y) => compareDots(x.dot, y.dot) === 0 || covers(y.past, x.dot)),
  );
}

/**
 * A stable hash input for anti-entropy: canonical (sorted) encoding of the dots and pasts,
 * excluding values. Equal for states with the same siblings however they were reached.
 */
export function versionDigest<T>(v: Versioned<T>): string {
  const encoded = [...v.siblings]
    .sort((x, y) => compareDots(x.dot, y.dot))
    .map(({ dot, past }) => [dot[0], dot[1], Object.entries(canonicalVector(past))]);
  return JSON.stringify(encoded);
}
