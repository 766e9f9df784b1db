/** `cairn-admin transfers --watch [seconds]`: the period it accepts, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { watchSeconds } from '../../../src/cli/transfers-command.js';

describe('transfers --watch', () => {
  it('takes 2 s without a value, or seconds from 0.5 to 3600', () => {
    expect(watchSeconds(true)).toBe(2);
    expect(watchSeconds('0.5')).toBe(0.5);
    expect(watchSeconds('10')).toBe(10);
    expect(watchSeconds('3600')).toBe(3600);
  });

  it('refuses anything else, naming the bounds', () => {
    for (const bad of ['0', '0.4', '3601', '-1', 'abc', '1e3', '', ' 5', 'Infinity', 'NaN']) {
      expect(() => watchSeconds(bad), bad).toThrow(/--watch takes seconds from 0.5 to 3600/);
    }
  });
});
