/**
 * The targets (goal-tables.ts: issue 17's by default), checked against the figures of one
 * run. A ratio target compares two figures measured in the same run on the same machine, so
 * noise on a shared machine moves both sides; a target whose figures are missing is reported
 * as not measured.
 */
import { ISSUE_17_GOALS, type Goal, type GoalOperand } from './goal-tables.js';
import { ratio } from './stats.js';
import type { ResultEntry } from './results.js';

export { ISSUE_17_GOALS, ISSUE_3_GOALS } from './goal-tables.js';

/** One target and whether this run met it (`null`: not measured). */
export interface GoalVerdict {
  goal: string;
  met: boolean | null;
  /** The measured ratio or value. */
  measured: number | null;
  detail: string;
}

function lookup(entries: readonly ResultEntry[], operand: GoalOperand): number | null {
  const value = entries.find((entry) => entry.name === operand.name)?.[operand.role];
  return value === undefined || value === null || !Number.isFinite(value) ? null : value;
}

function compare(value: number, op: Goal['op'], bound: number): boolean {
  if (op === '>=') return value >= bound;
  if (op === '<') return value < bound;
  return value <= bound;
}

/** Checks every target of `goals` (issue 17's by default) against `entries`. */
export function evaluateGoals(
  entries: readonly ResultEntry[],
  goals: readonly Goal[] = ISSUE_17_GOALS,
): GoalVerdict[] {
  return goals.map((goal) => {
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
