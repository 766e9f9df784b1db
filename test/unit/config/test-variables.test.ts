/**
 * CAIRN_TEST_* variables are refused by every program unless the test suite started it
 * (CAIRN_TESTING=1); the one that was once read (CAIRN_TEST_PART_BYTES_MIN) is refused
 * everywhere, pointing at the setting that replaced it, enforce_multipart_part_size.
 */
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../src/config/resolve.js';
import { PROGRAMS } from '../../../src/config/setting.js';
import { testVariableProblems } from '../../../src/config/test-variables.js';

describe('test variables', () => {
  it('refuses each CAIRN_TEST_* variable outside the suite, naming it', () => {
    const problems = testVariableProblems({
      CAIRN_TEST_Z: '1',
      CAIRN_TEST_BIG_MIB: '64',
      CAIRN_PORT: '9000',
      CAIRN_TESTX: '1',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^CAIRN_TEST_BIG_MIB is set: .*CAIRN_TESTING=1.*; unset it$/);
    expect(problems[1]).toMatch(/^CAIRN_TEST_Z is set: /);
  });

  it('lets the suite’s processes carry its knobs; only CAIRN_TESTING=1 marks them', () => {
    expect(testVariableProblems({ CAIRN_TESTING: '1', CAIRN_TEST_BIG_MIB: '64' })).toEqual([]);
    for (const testing of ['true', 'yes', '0', '']) {
      const env = { CAIRN_TESTING: testing, CAIRN_TEST_BIG_MIB: '64' };
      expect(testVariableProblems(env), testing).toHaveLength(1);
    }
  });

  it('reads an empty variable as unset, as it does every CAIRN_* variable', () => {
    expect(testVariableProblems({ CAIRN_TEST_BIG_MIB: '' })).toEqual([]);
    expect(testVariableProblems({})).toEqual([]);
  });

  it('refuses CAIRN_TEST_PART_BYTES_MIN everywhere, with the setting to use instead', () => {
    for (const env of [{}, { CAIRN_TESTING: '1' }]) {
      const problems = testVariableProblems({ ...env, CAIRN_TEST_PART_BYTES_MIN: '1' });
      expect(problems).toEqual([
        'CAIRN_TEST_PART_BYTES_MIN is no longer read: to accept parts under 5 MiB, set ' +
          'enforce_multipart_part_size = off (CAIRN_ENFORCE_MULTIPART_PART_SIZE=off, ' +
          '--enforce-multipart-part-size off); unset it',
      ]);
    }
  });

  it('is a settings problem of every program, so none starts with one', () => {
    for (const program of PROGRAMS) {
      const resolved = resolveSettings(program, { flags: {}, env: { CAIRN_TEST_X: '1' } });
      expect(
        resolved.problems.some((p) => p.startsWith('CAIRN_TEST_X is set')),
        program,
      ).toBe(true);
    }
  });
});

describe('enforce_multipart_part_size', () => {
  const settle = (sources: Parameters<typeof resolveSettings>[1]) =>
    resolveSettings('start', sources);

  it('is on unless set off by a flag, CAIRN_* or the Riak CS key', () => {
    const none = settle({ flags: {}, env: {} });
    expect(none.values['enforceMultipartPartSize']).toBe(true);
    const file = { path: 'riak-cs.conf', text: 'enforce_multipart_part_size = false\n' };
    const fromFile = settle({ flags: {}, env: {}, file });
    expect(fromFile.problems).toEqual([]);
    expect(fromFile.values['enforceMultipartPartSize']).toBe(false);
    const fromEnv = settle({ flags: {}, env: { CAIRN_ENFORCE_MULTIPART_PART_SIZE: 'off' } });
    expect(fromEnv.values['enforceMultipartPartSize']).toBe(false);
    const fromFlag = settle({ flags: { enforceMultipartPartSize: 'on' }, env: {}, file });
    expect(fromFlag.values['enforceMultipartPartSize']).toBe(true);
  });

  it('refuses a value that is not on or off', () => {
    const bad = settle({ flags: {}, env: { CAIRN_ENFORCE_MULTIPART_PART_SIZE: '5MB' } });
    expect(bad.problems).toEqual([
      'CAIRN_ENFORCE_MULTIPART_PART_SIZE: not a flag: "5MB" (write on or off)',
    ]);
  });
});
