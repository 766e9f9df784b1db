/**
 * Parsing usage requests: Riak CS's path and query forms, defaults, and every refusal a
 * client can provoke (each a 4xx with a message, never an exception of another kind).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUsageQuery, UsageQueryError } from '../../../src/usage/core/usage-query.js';

const NOW = Date.UTC(2026, 10, 26, 12);
const DAY = 86_400_000;
const limits = { nowMs: NOW, defaultWindowMs: DAY, rangeMaxMs: 31 * DAY };
const parse = (rest: string, query = '') =>
  parseUsageQuery(rest, new URLSearchParams(query), limits);

describe('usage: query parsing', () => {
  it('reads key, options, start and end from the path', () => {
    expect(parse('KEY/abj/20261126T000000Z/20261126T060000Z')).toEqual({
      keyId: 'KEY',
      access: true,
      storage: true,
      format: 'json',
      startMs: Date.UTC(2026, 10, 26),
      endMs: Date.UTC(2026, 10, 26, 6),
    });
  });

  it('reads the dot-separated form and the query form', () => {
    expect(parse('KEY.bx.20261126T000000Z')).toMatchObject({
      storage: true,
      access: false,
      format: 'xml',
      startMs: Date.UTC(2026, 10, 26),
      endMs: NOW,
    });
    expect(parse('KEY', 'a&b=true&s=20261126T000000Z&e=20261126T010000Z')).toMatchObject({
      access: true,
      storage: true,
      endMs: Date.UTC(2026, 10, 26, 1),
    });
    expect(parse('KEY', 'a=false')).toMatchObject({ access: false });
  });

  it('defaults to the last day and swaps a reversed window', () => {
    expect(parse('KEY')).toMatchObject({ startMs: NOW - DAY, endMs: NOW, access: false });
    expect(parse('KEY/a/20261126T060000Z/20261126T000000Z')).toMatchObject({
      startMs: Date.UTC(2026, 10, 26),
      endMs: Date.UTC(2026, 10, 26, 6),
    });
  });

  it.each([
    ['', /No user key id/],
    ['KEY/aq', /Unknown option letter "q"/],
    ['KEY/jx', /exclude each other/],
    ['KEY/a/2026', /Invalid start-time format/],
    ['KEY/a/20261126T000000Z/soon', /Invalid end-time format/],
    ['KEY/a/20200101T000000Z/20261126T000000Z', /Too much time requested/],
    ['KEY/a/20261126T000000Z/20261126T000000Z/extra', /Too many path segments/],
  ])('refuses %j', (rest, message) => {
    let caught: unknown;
    try {
      parse(rest);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageQueryError);
    expect((caught as UsageQueryError).status).toBe(400);
    expect((caught as Error).message).toMatch(message);
  });

  it('any path either parses or is refused with a 400 (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 30 }), (rest, query) => {
        try {
          const q = parse(rest, query);
          expect(q.startMs).toBeLessThanOrEqual(q.endMs);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageQueryError);
        }
      }),
    );
  });
});
