/**
 * Value types: durations, sizes, flags and addresses as cuttlefish wrote them, by table,
 * and format/parse round trips as properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesType, durationType, integerType } from '../../../src/config/core/types.js';
import {
  formatBytes,
  formatDurationMs,
  parseAddressList,
  parseBytes,
  parseDurationMs,
  parseFlag,
  parseHostPort,
} from '../../../src/config/core/values.js';

describe('config values', () => {
  it.each([
    ['24h', 1000, 86_400_000],
    ['15m', 1000, 900_000],
    ['1h30m', 1000, 5_400_000],
    ['500ms', 1, 500],
    ['2w', 1000, 14 * 86_400_000],
    ['1f', 1000, 14 * 86_400_000],
    ['1.5s', 1, 1500],
    ['86400', 1000, 86_400_000],
    ['60000', 1, 60_000],
  ])('duration %s (bare numbers in %i ms) is %i ms', (text, unitMs, ms) => {
    expect(parseDurationMs(text, unitMs)).toBe(ms);
  });

  it.each(['', 'h', '24 h', '24x', '-1s', '1h 30m', 'infinity'])('refuses duration %j', (text) => {
    expect(() => parseDurationMs(text, 1000)).toThrow(/not a duration/);
  });

  it.each([
    ['1048576', 1_048_576],
    ['512KB', 524_288],
    ['1MB', 1_048_576],
    ['2gb', 2 * 1024 ** 3],
  ])('size %s is %i bytes', (text, bytes) => expect(parseBytes(text)).toBe(bytes));

  it.each(['1.5MB', 'MB', '1TB', '-1'])('refuses size %j', (text) => {
    expect(() => parseBytes(text)).toThrow(/not a size/);
  });

  it('reads flags as cuttlefish and environments write them', () => {
    for (const on of ['on', 'ON', 'true']) expect(parseFlag(on)).toBe(true);
    for (const off of ['off', 'false']) expect(parseFlag(off)).toBe(false);
    expect(() => parseFlag('yes')).toThrow(/write on or off/);
  });

  it('reads host:port addresses and lists of them', () => {
    expect(parseHostPort('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseHostPort('s3.example.com:80')).toEqual({ host: 's3.example.com', port: 80 });
    for (const bad of ['127.0.0.1', ':80', 'h:99999', 'h:80/x']) {
      expect(() => parseHostPort(bad)).toThrow(/not a host:port/);
    }
    expect(parseAddressList('a:1, b:2,')).toEqual(['a:1', 'b:2']);
    expect(() => parseAddressList(' , ')).toThrow(/at least one/);
  });

  it('checks ranges with the same message wherever the value came from', () => {
    expect(() => integerType(1, 5).parse('6')).toThrow('expected an integer from 1 to 5, not "6"');
    expect(() => durationType('s', 1, 60).parse('2m')).toThrow('from 1s to 1m');
    expect(durationType('s', 1, 60, { infinity: true }).parse('infinity')).toBe(Infinity);
    expect(() => bytesType(65_536, 1_048_576).parse('2MB')).toThrow('from 64KB to 1MB');
  });
});

describe('config values: round trips', () => {
  it('a duration reads back from how it is written', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (ms) => {
        expect(parseDurationMs(formatDurationMs(ms), 1)).toBe(ms);
      }),
    );
  });

  it('a size reads back from how it is written', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (bytes) => {
        expect(parseBytes(formatBytes(bytes))).toBe(bytes);
      }),
    );
  });
});
