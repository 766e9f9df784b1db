/**
 * ISO 8601 basic dates: every second from year 0 to 9999 formats and parses back to itself,
 * and anything else — random text, impossible calendar dates — is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoBasic, parseIsoBasic } from '../../../src/usage/core/iso8601.js';

const FIRST_MS = Date.UTC(0, 0, 1);
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

describe('usage: ISO 8601 basic', () => {
  it('format then parse is the identity on whole seconds (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST_MS / 1000, max: LAST_MS / 1000 }), (seconds) => {
        const ms = seconds * 1000;
        expect(parseIsoBasic(formatIsoBasic(ms))).toBe(ms);
      }),
    );
  });

  it('parses the documented example', () => {
    expect(parseIsoBasic('20261126T000000Z')).toBe(Date.UTC(2026, 10, 26));
    expect(formatIsoBasic(Date.UTC(2012, 0, 13, 19, 45, 10, 999))).toBe('20120113T194510Z');
  });

  it.each([
    '20260230T000000Z',
    '20261301T000000Z',
    '20260100T000000Z',
    '20260101T240000Z',
    '20260101T006000Z',
    '20260101T000060Z',
    '2026-01-01T00:00:00Z',
    '20260101T000000',
    '20260101t000000z',
    ' 20260101T000000Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseIsoBasic(text)).toBeUndefined();
  });

  it('accepts a string only if it is the format of what it parses to (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        const ms = parseIsoBasic(text);
        if (ms !== undefined) expect(formatIsoBasic(ms)).toBe(text);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}T\d{6}Z$/), (text) => {
        const ms = parseIsoBasic(text);
        if (ms !== undefined) expect(formatIsoBasic(ms)).toBe(text);
      }),
    );
  });
});
