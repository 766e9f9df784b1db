/**
 * The cuttlefish-style config text: tables of lines and their entries or problems, and a
 * round-trip property (rendered entries read back as themselves).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfText, renderConfText } from '../../../src/config/core/conf-text.js';

describe('config text: lines', () => {
  it.each([
    ['listener = 127.0.0.1:8080', { key: 'listener', value: '127.0.0.1:8080' }],
    ['  gc.leeway_period=24h  ', { key: 'gc.leeway_period', value: '24h' }],
    ['gc.interval = 15m # every quarter', { key: 'gc.interval', value: '15m' }],
    ['admin.secret = "a#b c"', { key: 'admin.secret', value: 'a#b c' }],
    [
      'ssl.certfile = "./etc/cert.pem" # Riak CS docs quote paths',
      { key: 'ssl.certfile', value: './etc/cert.pem' },
    ],
    ['stats.storage.schedule.1 = 0600', { key: 'stats.storage.schedule.1', value: '0600' }],
  ])('reads %j', (line, entry) => {
    expect(parseConfText(line)).toEqual({ entries: [{ ...entry, line: 1 }], problems: [] });
  });

  it.each([
    ['listener', 'expected key = value, not "listener"'],
    ['= 1', 'not a setting name: ""'],
    ['bad key = 1', 'not a setting name: "bad key"'],
    ['gc.interval =', 'gc.interval has no value'],
    ['gc.interval = # none', 'gc.interval has no value'],
    ['a = "open', 'a quoted value has no closing quote'],
    ['a = "x" y', 'unexpected text after the closing quote: "y"'],
  ])('refuses %j', (line, message) => {
    expect(parseConfText(line).problems).toEqual([{ line: 1, message }]);
  });

  it('skips blank and comment lines, numbers lines from 1, refuses a key set twice', () => {
    const text = '# riak-cs.conf\n\nlistener = 127.0.0.1:8080\r\n  # indented\nlistener = x:1\n';
    const parsed = parseConfText(text);
    expect(parsed.entries).toEqual([{ key: 'listener', value: '127.0.0.1:8080', line: 3 }]);
    expect(parsed.problems).toEqual([{ line: 5, message: 'listener is already set on line 3' }]);
  });

  it('refuses a file over 1 MiB and lines over 4096 characters', () => {
    expect(parseConfText('#'.repeat(1024 * 1024 + 1)).problems[0]!.message).toContain('1 MiB');
    expect(parseConfText(`a = ${'x'.repeat(5000)}`).problems[0]!.message).toContain('4096');
  });
});

describe('config text: round trip', () => {
  const key = fc
    .array(fc.stringMatching(/^[a-z0-9_]{1,12}$/), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('.'));
  const value = fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((v) => !/["\r\n]/.test(v) && v.trim() !== '');

  it('reads back what it renders (keys unique, any value without quotes or newlines)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 20 }),
        (pairs) => {
          const entries = pairs.map(([k, v]) => ({ key: k, value: v }));
          const parsed = parseConfText(renderConfText(entries));
          expect(parsed.problems).toEqual([]);
          expect(parsed.entries.map(({ key: k, value: v }) => ({ key: k, value: v }))).toEqual(
            entries,
          );
        },
      ),
    );
  });
});
