/** The benchmark arithmetic: nearest-rank percentiles, medians, rates. */
import { describe, expect, it } from 'vitest';
import {
  median,
  megabytesPerS,
  percentile,
  ratePerS,
  ratio,
  summarizeLatencies,
} from '../../../bench/core/stats.js';

describe('bench stats: percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('p50 and p99 of 1..100 are 50 and 99', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('p0 is the smallest sample; one sample is every percentile', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('p99 of 10 samples is the largest (rank ceil(9.9) = 10)', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 99)).toBe(10);
    expect(percentile(ten, 50)).toBe(5);
  });

  it('no samples give NaN; p outside 0..100 is refused', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });
});

describe('bench stats: median, summaries, rates', () => {
  it('median of odd and even counts, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('summarizeLatencies sorts a copy, not the input', () => {
    const input = [5, 1, 4, 2, 3];
    const summary = summarizeLatencies(input);
    expect(summary).toEqual({ count: 5, p50Ms: 3, p99Ms: 5, maxMs: 5 });
    expect(input).toEqual([5, 1, 4, 2, 3]);
  });

  it('rates: ops/s and MB/s (10^6 bytes), NaN for no time', () => {
    expect(ratePerS(500, 250)).toBe(2000);
    expect(megabytesPerS(64 * 1024 * 1024, 500)).toBeCloseTo(134.22, 2);
    expect(ratePerS(1, 0)).toBeNaN();
  });

  it('ratio is NaN when a side is missing or the divisor is 0', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(null, 2)).toBeNaN();
    expect(ratio(3, undefined)).toBeNaN();
    expect(ratio(3, 0)).toBeNaN();
  });
});
