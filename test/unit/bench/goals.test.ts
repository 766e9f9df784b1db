/** The issue's targets, evaluated from a run's figures. */
import { describe, expect, it } from 'vitest';
import { evaluateGoals, ISSUE_3_GOALS } from '../../../bench/core/goals.js';
import type { ResultEntry } from '../../../bench/core/results.js';

const entry = (name: string, values: Partial<ResultEntry>): ResultEntry => ({
  name,
  unit: 'x',
  better: 'higher',
  cairn: null,
  ...values,
});

describe('bench goals', () => {
  it('checks ratios against the peer and the ceiling', () => {
    const verdicts = evaluateGoals(
      [
        entry('put-4KiB-c16', { cairn: 3000, peer: 1000, ceiling: 7000 }),
        entry('get-4KiB-c16', { cairn: 2000, peer: 1500, ceiling: 7000 }),
      ],
      ISSUE_3_GOALS,
    );
    const byGoal = new Map(verdicts.map((v) => [v.goal, v]));
    expect(byGoal.get('PUT 4 KiB c16 ops/s >= 2x s3rver')!.met).toBe(true);
    expect(byGoal.get('PUT 4 KiB c16 ops/s >= 40% of the no-op server')!.met).toBe(true);
    expect(byGoal.get('GET 4 KiB c16 ops/s >= 2x s3rver')!.met).toBe(false);
    expect(byGoal.get('GET 4 KiB c16 ops/s >= 40% of the no-op server')!.measured).toBeCloseTo(
      2 / 7,
    );
  });

  it('write amplification is a bound on the value; LIST compares two sizes', () => {
    const verdicts = evaluateGoals([
      entry('write-amp-64MiB', { cairn: 1.3 }),
      entry('list-page-10k', { cairn: 10 }),
      entry('list-page-100k', { cairn: 15 }),
    ]);
    const amp = verdicts.find((v) => v.goal.startsWith('write amplification'))!;
    const list = verdicts.find((v) => v.goal.startsWith('LIST'))!;
    expect(amp.met).toBe(false); // needs strictly < 1.3
    expect(list.met).toBe(true); // 1.5 <= 1.5
  });

  it('a target whose figures are missing is not measured, never met', () => {
    const verdicts = evaluateGoals([entry('put-64MiB', { cairn: 100 })]);
    const put = verdicts.find((v) => v.goal.startsWith('PUT 64 MiB'))!;
    expect(put).toMatchObject({ met: null, measured: null, detail: 'not measured' });
  });

  it("issue 17's table: CPU and RSS bounds, no-op ratios, cluster ratios by name", () => {
    const verdicts = evaluateGoals([
      entry('cpu-us-per-put-4KiB', { cairn: 450, ceiling: 70 }),
      entry('cpu-us-per-get-4KiB', { cairn: 201, ceiling: 60 }),
      entry('put-4KiB-c16', { cairn: 2000, ceiling: 5000 }),
      entry('get-4KiB-c16', { cairn: 2700, ceiling: 5000 }),
      entry('peak-rss-MiB', { cairn: 150, ceiling: 75 }),
      entry('put-4KiB-c16-n1', { cairn: 1400 }),
    ]);
    const met = (prefix: string) => verdicts.find((v) => v.goal.startsWith(prefix))!.met;
    expect(met('CPU per 4 KiB PUT <= 450')).toBe(true);
    expect(met('CPU per 4 KiB GET <= 200')).toBe(false);
    expect(met('PUT 4 KiB c16 ops/s >= 0.4')).toBe(true);
    expect(met('GET 4 KiB c16 ops/s >= 0.55')).toBe(false);
    expect(met('peak RSS')).toBe(true);
    expect(met('PUT 4 KiB c16, 1-node cluster')).toBe(false); // 0.70 < 0.75
    expect(met('CPU per 4 KiB PUT, 5 nodes')).toBeNull(); // the cluster phase's name is absent
    expect(verdicts.some((v) => v.goal.includes('s3rver'))).toBe(false);
  });
});
