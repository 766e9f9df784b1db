/**
 * Dotted version vectors: the classic scenarios as tables (including the lost update that
 * per-server vector clocks suffer), then properties over realistic states — states reached by
 * random histories of client writes with stale contexts at random replicas and random syncs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contextOf,
  covers,
  descends,
  dominates,
  emptyVersioned,
  joinVectors,
  sync,
  update,
  versionDigest,
  type Dot,
  type VersionVector,
  type Versioned,
} from '../../../ring/core/dvv.js';

function valuesOf<T>(v: Versioned<T>): T[] {
  return v.siblings.map((sibling) => sibling.value);
}

/** The first write at `actor`, then two clients that both read it and write concurrently. */
function twoStaleWriters(actor: string): Versioned<string> {
  const first = update(emptyVersioned<string>(), {}, actor, 'v0');
  const stale = contextOf(first);
  return update(update(first, stale, actor, 'x'), stale, actor, 'y');
}

const scenarios: [name: string, run: () => Versioned<string | null>, values: (string | null)[]][] =
  [
    [
      'two clients write with the same stale context (one actor)',
      () => twoStaleWriters('a'),
      ['x', 'y'],
    ],
    [
      'a write with the merged context replaces both siblings',
      () => {
        const v = twoStaleWriters('a');
        return update(v, contextOf(v), 'a', 'z');
      },
      ['z'],
    ],
    [
      'a blind write (empty context) never overwrites',
      () => update(update(emptyVersioned(), {}, 'a', 'x'), {}, 'a', 'y'),
      ['x', 'y'],
    ],
    [
      'sibling explosion: a client rewriting its own sibling replaces only that one',
      () => {
        const mine = update(emptyVersioned<string>(), {}, 'a', 'v1');
        const both = update(mine, {}, 'a', 'v2');
        return update(both, contextOf(mine), 'a', 'v3');
      },
      ['v2', 'v3'],
    ],
    [
      'concurrent writes at two replicas become siblings after sync',
      () => sync(update(emptyVersioned(), {}, 'a', 'x'), update(emptyVersioned(), {}, 'b', 'y')),
      ['x', 'y'],
    ],
    [
      'a write coordinated elsewhere with the synced context replaces both',
      () => {
        const a = update(emptyVersioned<string>(), {}, 'a', 'x');
        const b = update(emptyVersioned<string>(), {}, 'b', 'y');
        const written = update(b, contextOf(sync(a, b)), 'b', 'z');
        return sync(a, written);
      },
      ['z'],
    ],
    [
      'an actor whose own dot was overwritten elsewhere still counts past it',
      () => {
        const a = update(emptyVersioned<string>(), {}, 'a', 'w0');
        const b = update(emptyVersioned<string>(), contextOf(a), 'b', 'w1');
        return sync(update(sync(a, b), {}, 'a', 'w2'), b);
      },
      ['w2', 'w1'],
    ],
    [
      'a tombstone is a value like any other (delete concurrent with a write)',
      () => {
        const first = update(emptyVersioned<string | null>(), {}, 'a', 'v0');
        const deleted = update(first, contextOf(first), 'b', null);
        return sync(update(first, contextOf(first), 'a', 'x'), deleted);
      },
      ['x', null],
    ],
    [
      'actors named like Object.prototype properties are ordinary actors',
      () => twoStaleWriters('__proto__'),
      ['x', 'y'],
    ],
  ];

describe('dvv: scenarios', () => {
  it.each(scenarios)('%s', (_name, run, values) => {
    expect(valuesOf(run())).toEqual(values);
  });

  it('names writes (actor, next counter) and keeps siblings sorted by dot', () => {
    const a1 = update(emptyVersioned<string>(), {}, 'b', 'x');
    const a2 = update(a1, { a: 7 }, 'a', 'y');
    expect(a2.siblings.map((s) => s.dot)).toEqual([
      ['a', 8],
      ['b', 1],
    ]);
    expect(update(a2, {}, 'b', 'z').siblings.map((s) => s.dot)).toContainEqual(['b', 2]);
    expect(sync(a2, a1)).toEqual(sync(a1, a2));
  });

  it('rejects an empty actor and counters that are not non-negative safe integers', () => {
    const v = emptyVersioned<string>();
    expect(() => update(v, {}, '', 'x')).toThrow(RangeError);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => update(v, { a: bad }, 'a', 'x')).toThrow(RangeError);
    }
  });

  it('refuses to merge one dot with two different pasts (a reused counter)', () => {
    const x = update(emptyVersioned<string>(), {}, 'a', 'x');
    const y = update(emptyVersioned<string>(), { b: 1 }, 'a', 'y');
    expect(x.siblings[0]!.dot).toEqual(y.siblings[0]!.dot);
    expect(() => sync(x, y)).toThrow(/reused counter/);
  });
});

/** Riak's vnode vector clocks without dots: increment the context, keep what is not older. */
interface PlainClocked {
  readonly clock: VersionVector;
  readonly values: readonly string[];
}

function plainPut(stored: PlainClocked, context: VersionVector, actor: string, value: string) {
  const clock = joinVectors(context, { [actor]: (context[actor] ?? 0) + 1 });
  if (descends(clock, stored.clock)) return { clock, values: [value] };
  return { clock: joinVectors(clock, stored.clock), values: [...stored.values, value] };
}

describe('dvv: the lost update of per-server vector clocks', () => {
  it('two clients put with context {a:1} at vnode a (plain: 1 value, dvv: 2 siblings)', () => {
    let plain: PlainClocked = plainPut({ clock: {}, values: [] }, {}, 'a', 'v0');
    const read = plain.clock;
    plain = plainPut(plain, read, 'a', 'x');
    plain = plainPut(plain, read, 'a', 'y');
    expect(plain.values).toEqual(['y']); // x was acknowledged, then silently lost

    expect(valuesOf(twoStaleWriters('a'))).toEqual(['x', 'y']);
  });
});

describe('dvv: vectors', () => {
  it.each<[string, VersionVector, VersionVector, boolean]>([
    ['equal', { a: 1 }, { a: 1 }, true],
    ['ahead', { a: 2, b: 1 }, { a: 1 }, true],
    ['behind', { a: 1 }, { a: 1, b: 1 }, false],
    ['concurrent', { a: 2 }, { b: 1 }, false],
    ['zero is absent', {}, { a: 0 }, true],
    ['prototype names', { constructor: 1 }, { constructor: 2 }, false],
  ])('descends: %s', (_name, a, b, expected) => {
    expect(descends(a, b)).toBe(expected);
  });

  it('joins pointwise into sorted, zero-free vectors', () => {
    const joined = joinVectors({ b: 1, a: 3, z: 0 }, { a: 2, c: 4, ['__proto__']: 5 });
    expect(Object.entries(joined)).toEqual([
      ['__proto__', 5],
      ['a', 3],
      ['b', 1],
      ['c', 4],
    ]);
    expect(covers(joined, ['c', 4])).toBe(true);
    expect(covers(joined, ['c', 5])).toBe(false);
    expect(covers({}, ['toString', 1])).toBe(false);
  });

  it('digests dots and pasts only, canonically', () => {
    const v = twoStaleWriters('a');
    const other = update(update(emptyVersioned<string>(), {}, 'a', 'v0'), { a: 1 }, 'a', 'q');
    const renamed: Versioned<string> = {
      siblings: [...v.siblings].reverse().map((s) => ({ ...s, value: 'other' })),
    };
    expect(versionDigest(renamed)).toBe(versionDigest(v));
    expect(versionDigest(other)).not.toBe(versionDigest(v));
    expect(versionDigest(emptyVersioned())).toBe('[]');
  });
});

const REPLICAS = ['a', 'b', 'c'] as const;

type Step =
  | { kind: 'write'; at: number; readFrom: number; ago: number; blind: boolean }
  | { kind: 'sync'; from: number; to: number };

const replicaArb = fc.nat({ max: REPLICAS.length - 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('write' as const),
    at: replicaArb,
    readFrom: replicaArb,
    ago: fc.nat({ max: 3 }),
    blind: fc.nat({ max: 3 }).map((n) => n === 0),
  }),
  fc.record({ kind: fc.constant('sync' as const), from: replicaArb, to: replicaArb }),
);
const historyArb = fc.array(stepArb, { minLength: 1, maxLength: 40 });

/** One acknowledged client write: its value, the dot it got, and the context it wrote with. */
interface Write {
  readonly value: string;
  readonly dot: Dot;
  readonly context: VersionVector;
}

interface Run {
  readonly replicas: Versioned<string>[];
  /** Every state any replica has held, in order (the states a client could have read). */
  readonly states: Versioned<string>[][];
  readonly writes: Write[];
}

/** Plays a history: writes with contexts read (possibly stale, or none) from any replica. */
function play(steps: readonly Step[]): Run {
  const replicas = REPLICAS.map(() => emptyVersioned<string>());
  const states = REPLICAS.map(() => [emptyVersioned<string>()]);
  const writes: Write[] = [];
  for (const step of steps) {
    if (step.kind === 'sync') {
      replicas[step.to] = sync(replicas[step.to]!, replicas[step.from]!);
      states[step.to]!.push(replicas[step.to]!);
      continue;
    }
    const seen = states[step.readFrom]!;
    const read = seen[Math.max(0, seen.length - 1 - step.ago)]!;
    const context = step.blind ? {} : contextOf(read);
    const value = `w${writes.length}`;
    replicas[step.at] = update(replicas[step.at]!, context, REPLICAS[step.at]!, value);
    states[step.at]!.push(replicas[step.at]!);
    const added = replicas[step.at]!.siblings.find((s) => s.value === value);
    writes.push({ value, dot: added!.dot, context });
  }
  return { replicas, states, writes };
}

/** A realistic state: one that some replica held during `run`, picked by `pick`. */
function stateAt(run: Run, pick: number): Versioned<string> {
  const all = run.states.flat();
  return all[pick % all.length]!;
}

const syncAll = (vs: readonly Versioned<string>[]) => vs.reduce(sync, emptyVersioned<string>());

describe('dvv: properties over random histories', () => {
  const trio = fc.tuple(historyArb, fc.nat(), fc.nat(), fc.nat());

  it('sync is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(trio, ([steps, i, j, k]) => {
        const run = play(steps);
        const [a, b, c] = [stateAt(run, i), stateAt(run, j), stateAt(run, k)];
        expect(sync(a, b)).toEqual(sync(b, a));
        expect(sync(sync(a, b), c)).toEqual(sync(a, sync(b, c)));
        expect(sync(a, a)).toEqual(a);
        expect(versionDigest(sync(a, b))).toBe(versionDigest(sync(b, a)));
      }),
      { numRuns: 300 },
    );
  });

  it('a write with the context of what it read leaves exactly one sibling', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), replicaArb, (steps, pick, at) => {
        const v = stateAt(play(steps), pick);
        const written = update(v, contextOf(v), REPLICAS[at]!, 'new');
        expect(valuesOf(written)).toEqual(['new']);
        expect(covers(contextOf(v), written.siblings[0]!.dot)).toBe(false);
        expect(dominates(written, v)).toBe(true);
      }),
    );
  });

  it('every write no later write saw survives syncing all replicas; no other write does', () => {
    fc.assert(
      fc.property(historyArb, (steps) => {
        const { replicas, writes } = play(steps);
        const dots = new Set(writes.map((w) => JSON.stringify(w.dot)));
        expect(dots.size).toBe(writes.length); // a dot names exactly one write
        const unseen = writes.filter(
          (w, i) => !writes.slice(i + 1).some((later) => covers(later.context, w.dot)),
        );
        const merged = syncAll(replicas);
        expect(new Set(valuesOf(merged))).toEqual(new Set(unseen.map((w) => w.value)));
        expect(syncAll([...replicas].reverse())).toEqual(merged);
      }),
      { numRuns: 1000 },
    );
  });

  it('sync(a, b) dominates a and b; a dominates b exactly when sync(a, b) is a', () => {
    fc.assert(
      fc.property(trio, ([steps, i, j]) => {
        const run = play(steps);
        const [a, b] = [stateAt(run, i), stateAt(run, j)];
        expect(dominates(sync(a, b), a)).toBe(true);
        expect(dominates(sync(a, b), b)).toBe(true);
        expect(dominates(a, b)).toBe(versionDigest(sync(a, b)) === versionDigest(a));
        expect(descends(contextOf(sync(a, b)), contextOf(a))).toBe(true);
      }),
    );
  });

  it('each replica dominates every earlier state of its own', () => {
    fc.assert(
      fc.property(historyArb, (steps) => {
        const run = play(steps);
        run.states.forEach((held, r) => {
          for (const earlier of held) expect(dominates(run.replicas[r]!, earlier)).toBe(true);
        });
      }),
    );
  });
});
