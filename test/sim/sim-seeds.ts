/**
 * Which seeds a simulation runs: the one in its replay variable (`X_SIM_SEED=n`) when set,
 * so a failure printed by a run can be replayed alone and exactly; else CAIRN_SIM_SEEDS
 * seeds (a count) from the suite's own sequence.
 */

/** The seeds to run: `[replay]` when `variable` is set, else `count` seeds of `nth`. */
export function simSeeds(variable: string, count: number, nth: (i: number) => number): number[] {
  const replay = process.env[variable];
  if (replay !== undefined && replay !== '') {
    const seed = Number(replay);
    if (!Number.isSafeInteger(seed)) throw new Error(`${variable} must be an integer: ${replay}`);
    return [seed];
  }
  const length = Number(process.env.CAIRN_SIM_SEEDS ?? count);
  return Array.from({ length }, (_, i) => nth(i));
}
