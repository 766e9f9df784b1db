/**
 * CAIRN_TEST_* variables belong to Cairn's test suite, never to a running store: no program
 * reads one, and a store that quietly ran with a test's setting (a lowered limit, a
 * shortcut) would be the worst kind of wrong success. So a program that finds one in its
 * environment refuses to start and names it, unless the test suite started it: vitest
 * sets CAIRN_TESTING=1, and its processes inherit the suite's own knobs (CAIRN_TEST_BIG_MIB
 * and the like), which they ignore. What a user may need is a setting in the table instead
 * (settings.ts), as enforce_multipart_part_size replaced CAIRN_TEST_PART_BYTES_MIN. Pure.
 */

/** The prefix of the test suite's variables. */
export const TEST_VARIABLE_PREFIX = 'CAIRN_TEST_';

/** Set (to 1) by the test suite (vitest.config.ts) in every process it runs or starts. */
export const TESTING_VARIABLE = 'CAIRN_TESTING';

/** Test variables that were once read, with the setting that does their job now. */
const RETIRED: Readonly<Record<string, string>> = {
  CAIRN_TEST_PART_BYTES_MIN:
    'to accept parts under 5 MiB, set enforce_multipart_part_size = off ' +
    '(CAIRN_ENFORCE_MULTIPART_PART_SIZE=off, --enforce-multipart-part-size off)',
};

/** A refusal for each CAIRN_TEST_* variable set in `env`, in name order; none when fine. */
export function testVariableProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const testing = env[TESTING_VARIABLE] === '1';
  return Object.keys(env)
    .filter((name) => name.startsWith(TEST_VARIABLE_PREFIX) && (env[name] ?? '') !== '')
    .sort()
    .flatMap((name) => {
      const retired = RETIRED[name];
      if (retired !== undefined) return [`${name} is no longer read: ${retired}; unset it`];
      if (testing) return [];
      return [
        `${name} is set: CAIRN_TEST_* variables configure Cairn's test suite and no store ` +
          `reads them (only processes the suite starts, with ${TESTING_VARIABLE}=1, may ` +
          'have them); unset it',
      ];
    });
}
