/**
 * The front end's freshness check: one stanchion round trip in flight, every request that
 * arrives meanwhile sharing the next one (never the one already asked); evictions applied
 * before any request trusts the cache; the ring instead while stanchion cannot say.
 */
import { describe, expect, it } from 'vitest';
import { Revalidator, type ChangeSink } from '../../../src/cache/revalidator.js';
import type {
  ChangeAnswer,
  ChangedKeys,
  LogPosition,
} from '../../../stanchion/core/change-feed.js';

interface Asked {
  from: LogPosition;
  answer(value: ChangeAnswer): void;
  fail(error: Error): void;
}

function world() {
  const asked: Asked[] = [];
  const evicted: ChangedKeys[] = [];
  let clears = 0;
  let nowMs = 0;
  const sink: ChangeSink = { evict: (c) => evicted.push(c), clear: () => clears++ };
  const source = (from: LogPosition) =>
    new Promise<ChangeAnswer>((answer, fail) => asked.push({ from, answer, fail }));
  const revalidator = new Revalidator(source, sink, { nowMs: () => nowMs, retryMs: 1000 });
  return {
    asked,
    evicted,
    clears: () => clears,
    advance: (ms: number) => (nowMs += ms),
    revalidator,
  };
}

const flush = () => new Promise((r) => setImmediate(r));
const none: ChangedKeys = { keyIds: [], userIds: [], buckets: [] };

describe('revalidator', () => {
  it('starts from nothing: the first answer clears the cache', async () => {
    const w = world();
    const check = w.revalidator.check();
    expect(w.asked[0]!.from).toEqual({ epoch: 0, seq: -1 });
    w.asked[0]!.answer({ position: { epoch: 2, seq: 7 }, reset: true });
    expect(await check).toBe(1);
    expect(w.clears()).toBe(1);
    expect(w.revalidator.position).toEqual({ epoch: 2, seq: 7 });
  });

  it('coalesces: requests during a check share the next one, asked after it (c=5)', async () => {
    const w = world();
    const first = w.revalidator.check();
    const later = [1, 2, 3, 4].map(() => w.revalidator.check());
    expect(w.asked).toHaveLength(1);
    w.asked[0]!.answer({ position: { epoch: 1, seq: 3 }, reset: true });
    expect(await first).toBe(1);
    await flush();
    // The four that arrived while the first was in flight wait for a second question.
    expect(w.asked).toHaveLength(2);
    expect(w.asked[1]!.from).toEqual({ epoch: 1, seq: 3 });
    const changed = { keyIds: ['AK1'], userIds: ['u1'], buckets: ['b'] };
    w.asked[1]!.answer({ position: { epoch: 1, seq: 4 }, changed });
    expect(await Promise.all(later)).toEqual([2, 2, 2, 2]);
    expect(w.evicted).toEqual([changed]);
    // Nothing in flight now: the next request asks again at once.
    const again = w.revalidator.check();
    expect(w.asked).toHaveLength(3);
    w.asked[2]!.answer({ position: { epoch: 1, seq: 4 }, changed: none });
    expect(await again).toBe(2); // no change: the generation stays
  });

  it('answers undefined while stanchion cannot say, then probes in the background', async () => {
    const w = world();
    const failed = w.revalidator.check();
    w.asked[0]!.fail(new Error('no stanchion'));
    expect(await failed).toBeUndefined();
    expect(await w.revalidator.check()).toBeUndefined();
    expect(w.asked).toHaveLength(1); // within retryMs: not asked at all
    w.advance(1000);
    expect(await w.revalidator.check()).toBeUndefined(); // the probe does not hold requests
    expect(w.asked).toHaveLength(2);
    expect(await w.revalidator.check()).toBeUndefined(); // one probe at a time
    expect(w.asked).toHaveLength(2);
    w.asked[1]!.answer({ position: { epoch: 1, seq: 1 }, reset: true });
    await flush();
    const check = w.revalidator.check();
    expect(w.asked).toHaveLength(3);
    w.asked[2]!.answer({ position: { epoch: 1, seq: 1 }, changed: none });
    expect(await check).toBe(1);
  });

  it('clears on a new epoch and refuses an older leader', async () => {
    const w = world();
    const a = w.revalidator.check();
    w.asked[0]!.answer({ position: { epoch: 1, seq: 5 }, reset: true });
    await a;
    const b = w.revalidator.check();
    w.asked[1]!.answer({ position: { epoch: 2, seq: 5 }, reset: true });
    expect(await b).toBe(2);
    expect(w.clears()).toBe(2);
    const c = w.revalidator.check();
    w.asked[2]!.answer({ position: { epoch: 1, seq: 9 }, changed: none });
    expect(await c).toBeUndefined(); // an older epoch: someone is confused, use the ring
    expect(w.revalidator.position).toEqual({ epoch: 2, seq: 5 });
  });
});
