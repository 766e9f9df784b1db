/**
 * The targets of issue 3, checked against the figures of one run. Each target is a ratio of
 * two figures measured in the same run on the same machine, so noise on a shared machine
 * moves both sides; a target whose figures are missing is reported as not measured.
 */
import { ratio } from './stats.js';
import type { ResultEntry, Role } from './results.js';

/** One target and whether this run met it (`null`: not measured). */
export interface GoalVerdict {
  goal: string;
  met: boolean | null;
  /** The measured ratio or value. */
  measured: number | null;
  detail: string;
}

interface Operand {
  name: string;
  role: Role;
}

interface Goal {
  goal: string;
  numerator: Operand;
  /** Omitted: the numerator is compared to the bound directly. */
  denominator?: Operand;
  /** `>=` bound for a floor, `<` or `<=` for a ceiling. */
  op: '>=' | '<' | '<=';
  bound: number;
}

const GOALS: readonly Goal[] = [
  ...(['put', 'get'] as const).flatMap((verb): Goal[] => [
    {
      goal: `${verb.toUpperCase()} 4 KiB c16 ops/s >= 2x s3rver`,
      numerator: { name: `${verb}-4KiB-c16`, role: 'cairn' },
      denominator: { name: `${verb}-4KiB-c16`, role: 'peer' },
      op: '>=',
      bound: 2,
    },
    {
      goal: `${verb.toUpperCase()} 4 KiB c16 ops/s >= 40% of the no-op server`,
      numerator: { name: `${verb}-4KiB-c16`, role: 'cairn' },
      denominator: { name: `${verb}-4KiB-c16`, role: 'ceiling' },
      op: '>=',
      bound: 0.4,
    },
  ]),
  ...(['put', 'get'] as const).map((verb): Goal => ({
    goal: `${verb.toUpperCase()} 64 MiB MB/s >= 50% of the no-op server (MD5 included)`,
    numerator: { name: `${verb}-64MiB`, role: 'cairn' },
    denominator: { name: `${verb}-64MiB`, role: 'ceiling' },
    op: '>=',
    bound: 0.5,
  })),
  {
    goal: 'write amplification of 64 MiB objects < 1.3 bytes per byte stored',
    numerator: { name: 'write-amp-64MiB', role: 'cairn' },
    op: '<',
    bound: 1.3,
  },
  {
    goal: 'LIST 1,000-key page, 100k-key bucket <= 1.5x the 10k-key bucket',
    numerator: { name: 'list-page-100k', role: 'cairn' },
    denominator: { name: 'list-page-10k', role: 'cairn' },
    op: '<=',
    bound: 1.5,
  },
  // Issue 17 (the cluster phase, --cluster): against the embedded store of the same run.
  {
    goal: 'PUT 4 KiB c16, 1-node cluster >= 0.75x the embedded store',
    numerator: { name: 'put-4KiB-c16-n1', role: 'cairn' },
    denominator: { name: 'put-4KiB-c16', role: 'cairn' },
    op: '>=',
    bound: 0.75,
  },
  {
    goal: 'CPU per 4 KiB PUT, 5-node cluster (n_val 3, all processes) <= 3.5x the embedded store',
    numerator: { name: 'cpu-us-per-put-4KiB-n5', role: 'cairn' },
    denominator: { name: 'cpu-us-per-put-4KiB', role: 'cairn' },
    op: '<=',
    bound: 3.5,
  },
];

function lookup(entries: readonly ResultEntry[], operand: Operand): number | null {
  const value = entries.find((entry) => entry.name === operand.name)?.[operand.role];
  return value === undefined || value === null || !Number.isFinite(value) ? null : value;
}

function compare(value: number, op: Goal['op'], bound: number): boolean {
  if (op === '>=') return value >= bound;
  if (op === '<') return value < bound;
  return value <= bound;
}

/** Checks every target of issue 3 against `entries`. */
export function evaluateGoals(entries: readonly ResultEntry[]): GoalVerdict[] {
  return GOALS.map((goal) => {
    const top = lookup(entries, goal.numerator);
    const bottom = goal.denominator ? lookup(entries, goal.denominator) : 1;
    const measured = top === null || bottom === null ? Number.NaN : ratio(top, bottom);
    if (!Number.isFinite(measured)) {
      return { goal: goal.goal, met: null, measured: null, detail: 'not measured' };
    }
    const what = goal.denominator ? 'ratio' : 'value';
    const detail = `${what} ${measured.toFixed(2)} (needs ${goal.op} ${goal.bound})`;
    return { goal: goal.goal, met: compare(measured, goal.op, goal.bound), measured, detail };
  });
}
