import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualScheduler, type TimerFiring } from '../../../ring/core/scheduler.js';
import { realScheduler } from '../../../ring/real-scheduler.js';

describe('virtual scheduler', () => {
  it('fires by due time, then by the order set, and moves the clock to each due time', async () => {
    const sched = new VirtualScheduler({ startMs: 100 });
    const seen: string[] = [];
    const note = (name: string) => () => seen.push(`${name}@${sched.now()}`);
    sched.setTimeout(note('b'), 20);
    sched.setTimeout(note('a'), 10);
    sched.setTimeout(note('c'), 20);
    sched.setTimeout(note('zero'), 0);
    await sched.advance(15);
    expect(seen).toEqual(['zero@100', 'a@110']);
    expect(sched.now()).toBe(115);
    await sched.runUntilIdle();
    expect(seen).toEqual(['zero@100', 'a@110', 'b@120', 'c@120']);
    expect(sched.now()).toBe(120);
  });

  it('re-arms intervals until cleared, and clear is a no-op for fired timers', async () => {
    const sched = new VirtualScheduler();
    const ticks: number[] = [];
    const interval = sched.setInterval(() => ticks.push(sched.now()), 10);
    const once = sched.setTimeout(() => undefined, 5);
    await sched.advance(35);
    expect(ticks).toEqual([10, 20, 30]);
    sched.clear(once);
    sched.clear(interval);
    expect(sched.pending).toBe(0);
    await sched.advance(100);
    expect(ticks).toEqual([10, 20, 30]);
  });

  it('lets promise chains run between firings (sleep inside async code)', async () => {
    const sched = new VirtualScheduler();
    const seen: string[] = [];
    const worker = async (name: string, stepMs: number) => {
      for (let i = 0; i < 3; i++) {
        await sched.sleep(stepMs);
        await Promise.resolve();
        seen.push(`${name}${i}@${sched.now()}`);
      }
      return name;
    };
    const both = Promise.all([worker('x', 10), worker('y', 15)]);
    expect(await sched.runUntil(both)).toEqual(['x', 'y']);
    expect(seen).toEqual(['x0@10', 'y0@15', 'x1@20', 'y1@30', 'x2@30', 'y2@45']);
  });

  it('runUntil refuses work that waits on nothing, or waits too long', async () => {
    const sched = new VirtualScheduler();
    await expect(sched.runUntil(new Promise(() => undefined))).rejects.toThrow(/stands still/);
    sched.setInterval(() => undefined, 1000);
    const never = new Promise(() => undefined);
    await expect(sched.runUntil(never, 5000)).rejects.toThrow(/pending after 5000 ms/);
    expect(sched.now()).toBe(5000);
    await expect(sched.runUntilIdle(50)).rejects.toThrow(/still busy/);
    await expect(sched.runUntil(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('refuses a delay that is not a finite number', () => {
    const sched = new VirtualScheduler();
    expect(() => sched.setTimeout(() => undefined, Number.NaN)).toThrow(RangeError);
    expect(() => sched.setInterval(() => undefined, Infinity)).toThrow(RangeError);
  });

  it('property: fires in stable order of due time; the clock never goes back', async () => {
    const delays = fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(delays, fc.integer({ min: 0, max: 60 }), async (list, stepMs) => {
        const firings: TimerFiring[] = [];
        const sched = new VirtualScheduler({ onFire: (f) => firings.push(f) });
        const order: number[] = [];
        list.forEach((delayMs, i) => sched.setTimeout(() => order.push(i), delayMs));
        await sched.advance(stepMs);
        await sched.runUntilIdle();
        const expected = list.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d || a.i - b.i);
        expect(order).toEqual(expected.map((e) => e.i));
        for (let i = 1; i < firings.length; i++) {
          expect(firings[i]!.atMs).toBeGreaterThanOrEqual(firings[i - 1]!.atMs);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('property: a program of timers, sleeps and clears traces the same each run', async () => {
    const op = fc.record({
      kind: fc.constantFrom('timeout', 'interval', 'sleep', 'clear'),
      delayMs: fc.integer({ min: 0, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (program) => {
        const run = async () => {
          const trace: string[] = [];
          const sched = new VirtualScheduler({
            onFire: (f) => trace.push(`${f.atMs}:${f.seq}:${f.label}`),
          });
          const handles = [];
          for (const [i, step] of program.entries()) {
            const label = `${step.kind}${i}`;
            if (step.kind === 'timeout') {
              handles.push(sched.setTimeout(() => trace.push(label), step.delayMs, { label }));
            } else if (step.kind === 'interval') {
              handles.push(sched.setInterval(() => trace.push(label), step.delayMs, { label }));
            } else if (step.kind === 'sleep') {
              void sched.sleep(step.delayMs, { label }).then(() => trace.push(`${label} woke`));
            } else sched.clear(handles[step.delayMs % Math.max(1, handles.length)]);
          }
          await sched.advance(100);
          return trace;
        };
        expect(await run()).toEqual(await run());
      }),
      { numRuns: 50 },
    );
  });
});

describe('real scheduler', () => {
  it('fires timeouts and sleeps on real time, and clears intervals', async () => {
    const start = realScheduler.now();
    let ticks = 0;
    const interval = realScheduler.setInterval(() => ticks++, 5, { unref: true });
    await realScheduler.sleep(30);
    realScheduler.clear(interval);
    const seen = ticks;
    expect(seen).toBeGreaterThan(0);
    let fired = false;
    const timer = realScheduler.setTimeout(() => (fired = true), 5, { unref: true });
    realScheduler.clear(timer);
    await realScheduler.sleep(20);
    expect(fired).toBe(false);
    expect(ticks).toBe(seen);
    expect(realScheduler.now() - start).toBeGreaterThanOrEqual(45);
  });
});
