/**
 * The targets the bench checks, as data: issue 17's (what `npm run bench` reports) and
 * issue 3's (kept for comparison with older runs). Each is a figure, or a ratio of two
 * figures measured in the same run, against a bound; names are the JSON's stable names.
 */
import type { Role } from './results.js';

/** One figure of one server in a run. */
export interface GoalOperand {
  name: string;
  role: Role;
}

/** One target. */
export interface Goal {
  goal: string;
  numerator: GoalOperand;
  /** Omitted: the numerator is compared to the bound directly. */
  denominator?: GoalOperand;
  /** `>=` bound for a floor, `<` or `<=` for a ceiling. */
  op: '>=' | '<' | '<=';
  bound: number;
}

const cairn = (name: string): GoalOperand => ({ name, role: 'cairn' });
const noop = (name: string): GoalOperand => ({ name, role: 'ceiling' });

/** Targets that hold in both issues: write amplification and LIST page cost. */
const STORAGE_GOALS: readonly Goal[] = [
  {
    goal: 'write amplification of 64 MiB objects < 1.3 bytes per byte stored',
    numerator: cairn('write-amp-64MiB'),
    op: '<',
    bound: 1.3,
  },
  {
    goal: 'LIST 1,000-key page, 100k-key bucket <= 1.5x the 10k-key bucket',
    numerator: cairn('list-page-100k'),
    denominator: cairn('list-page-10k'),
    op: '<=',
    bound: 1.5,
  },
];

/** Issue 17's table: server CPU, ratios to the no-op server, memory, the cluster's cost. */
export const ISSUE_17_GOALS: readonly Goal[] = [
  {
    goal: 'CPU per 4 KiB PUT <= 450 us',
    numerator: cairn('cpu-us-per-put-4KiB'),
    op: '<=',
    bound: 450,
  },
  {
    goal: 'CPU per 4 KiB GET <= 200 us',
    numerator: cairn('cpu-us-per-get-4KiB'),
    op: '<=',
    bound: 200,
  },
  ...(
    [
      ['PUT 4 KiB c16 ops/s', 'put-4KiB-c16', 0.4],
      ['GET 4 KiB c16 ops/s', 'get-4KiB-c16', 0.55],
      ['PUT 64 MiB MB/s (MD5 included)', 'put-64MiB', 0.65],
      ['GET 64 MiB MB/s', 'get-64MiB', 0.85],
    ] as const
  ).map(([what, name, bound]): Goal => ({
    goal: `${what} >= ${bound} of the no-op server`,
    numerator: cairn(name),
    denominator: noop(name),
    op: '>=',
    bound,
  })),
  {
    goal: 'peak RSS of the embedded store <= 200 MiB',
    numerator: cairn('peak-rss-MiB'),
    op: '<=',
    bound: 200,
  },
  {
    goal: 'PUT 4 KiB c16, 1-node cluster >= 0.75 of the embedded store',
    numerator: cairn('put-4KiB-c16-n1'),
    denominator: cairn('put-4KiB-c16'),
    op: '>=',
    bound: 0.75,
  },
  {
    goal: 'CPU per 4 KiB PUT, 5 nodes n=3 (all processes) <= 3.5x the embedded store',
    numerator: cairn('cpu-us-per-put-4KiB-n5'),
    denominator: cairn('cpu-us-per-put-4KiB'),
    op: '<=',
    bound: 3.5,
  },
  ...STORAGE_GOALS,
];

/** Issue 3's targets (against s3rver and at 40-50% of the no-op server). */
export const ISSUE_3_GOALS: readonly Goal[] = [
  ...(['put', 'get'] as const).flatMap((verb): Goal[] => [
    {
      goal: `${verb.toUpperCase()} 4 KiB c16 ops/s >= 2x s3rver`,
      numerator: cairn(`${verb}-4KiB-c16`),
      denominator: { name: `${verb}-4KiB-c16`, role: 'peer' },
      op: '>=',
      bound: 2,
    },
    {
      goal: `${verb.toUpperCase()} 4 KiB c16 ops/s >= 40% of the no-op server`,
      numerator: cairn(`${verb}-4KiB-c16`),
      denominator: noop(`${verb}-4KiB-c16`),
      op: '>=',
      bound: 0.4,
    },
  ]),
  ...(['put', 'get'] as const).map((verb): Goal => ({
    goal: `${verb.toUpperCase()} 64 MiB MB/s >= 50% of the no-op server (MD5 included)`,
    numerator: cairn(`${verb}-64MiB`),
    denominator: noop(`${verb}-64MiB`),
    op: '>=',
    bound: 0.5,
  })),
  ...STORAGE_GOALS,
];
