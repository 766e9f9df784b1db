/** The closed-loop driver: bounded by count and time, failures kept apart from latencies. */
import { describe, expect, it } from 'vitest';
import { failureSummary, runClosedLoop } from '../../../bench/load/closed-loop.js';

describe('bench closed loop', () => {
  it('stops at opsMax and runs each seq once', async () => {
    const seen: number[] = [];
    const spec = { concurrency: 4, durationMs: 10_000, opsMax: 25 };
    const result = await runClosedLoop(spec, async (seq) => {
      seen.push(seq);
      await new Promise((r) => setImmediate(r));
      return { ok: true, bytes: 10 };
    });
    expect(result.ok).toBe(25);
    expect(result.bytes).toBe(250);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('stops at the deadline (c=2, 50 ms)', async () => {
    const spec = { concurrency: 2, durationMs: 50, opsMax: 1e9 };
    const result = await runClosedLoop(spec, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { ok: true, bytes: 0 };
    });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(50);
    expect(result.ok).toBeGreaterThan(2);
    expect(result.ok).toBeLessThan(40);
  });

  it('failed and thrown operations count as errors, without latencies', async () => {
    const spec = { concurrency: 1, durationMs: 10_000, opsMax: 6 };
    const result = await runClosedLoop(spec, async (seq) => {
      if (seq % 3 === 0) throw new Error('ECONNRESET');
      if (seq % 3 === 1) return { ok: false, bytes: 0, failure: '503 SlowDown' };
      return { ok: true, bytes: 1 };
    });
    expect(result).toMatchObject({ ok: 2, errors: 4 });
    expect(result.latenciesMs).toHaveLength(2);
    expect(failureSummary(result.failures)).toEqual(['ECONNRESET x2', '503 SlowDown x2']);
  });
});
