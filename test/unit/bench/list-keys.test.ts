/** LIST phase helpers: key order, figure names and the fixed page positions. */
import { describe, expect, it } from 'vitest';
import { listKey, pageStarts, sizeLabel } from '../../../bench/phases/list.js';

describe('bench list keys', () => {
  it('keys sort in number order', () => {
    const keys = [9, 10, 999_999, 1_000_000].map(listKey);
    expect([...keys].sort()).toEqual(keys);
    expect(listKey(42)).toBe('key-0000042');
  });

  it('figure names: 10k, 100k, 1m', () => {
    expect([10_000, 100_000, 1_000_000].map(sizeLabel)).toEqual(['10k', '100k', '1m']);
  });

  it('page starts are fixed and leave a full page after them', () => {
    const starts = pageStarts(10_000, 1000, 50);
    expect(pageStarts(10_000, 1000, 50)).toEqual(starts);
    expect(new Set(starts).size).toBeGreaterThan(40);
    for (const start of starts) {
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start + 1000).toBeLessThan(10_000);
    }
  });
});
