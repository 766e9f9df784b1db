/**
 * Quota values as operators write them, and the decision a write is held to: sizes with
 * units, refusals of negative, fractional, non-numeric and absurd values, and the delta an
 * overwrite, a versioned write and a delete bring.
 */
import { describe, expect, it } from 'vitest';
import { breachMessage, quotaBreach, writeDelta } from '../../../src/usage/core/quota-decision.js';
import {
  parseQuotaBytes,
  parseQuotaObjects,
  QuotaValueError,
} from '../../../src/usage/core/quota-values.js';

describe('quota values', () => {
  it.each([
    ['1048576', 1048576],
    ['0', 0],
    ['10GiB', 10 * 1024 ** 3],
    ['10 gb', 10 * 1024 ** 3],
    ['500MB', 500 * 1024 ** 2],
    ['1.5KiB', 1536],
    ['2T', 2 * 1024 ** 4],
    [4096, 4096],
  ])('parses %s as %d bytes', (raw, bytes) => {
    expect(parseQuotaBytes(raw)).toBe(bytes);
  });

  it.each([
    ['-1', /not a size/],
    [-1, /negative/],
    ['ten', /not a size/],
    ['10XB', /not a size/],
    ['', /not a size/],
    ['1e9', /not a size/],
    ['99999999PiB', /too large/],
    [1.5, /whole number/],
    [Number.POSITIVE_INFINITY, /whole number/],
    [null, /must be a size/],
    [{}, /must be a size/],
  ])('refuses bytes %s', (raw, message) => {
    expect(() => parseQuotaBytes(raw)).toThrow(QuotaValueError);
    expect(() => parseQuotaBytes(raw)).toThrow(message);
  });

  it('parses object counts and refuses the rest', () => {
    expect(parseQuotaObjects('100000')).toBe(100000);
    expect(parseQuotaObjects(0)).toBe(0);
    for (const raw of ['-5', '1.5', '10k', 'many', '', '123456789012345678901', true]) {
      expect(() => parseQuotaObjects(raw), String(raw)).toThrow(QuotaValueError);
    }
    expect(() => parseQuotaObjects(2 ** 60)).toThrow(/too large/);
  });

  it('echoes a hostile value bounded and printable', () => {
    const error = (() => {
      try {
        parseQuotaBytes(`\u0007${'x'.repeat(500)}`);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error!.message.length).toBeLessThan(160);
    expect(error!.message).not.toContain('\u0007');
  });
});

describe('quota decision', () => {
  const usage = { objects: 9, bytes: 900 };

  it('counts an overwrite as the difference, a versioned write whole', () => {
    expect(writeDelta(undefined, 100, false)).toEqual({ objects: 1, bytes: 100 });
    expect(writeDelta(80, 100, false)).toEqual({ objects: 0, bytes: 20 });
    expect(writeDelta(80, 100, true)).toEqual({ objects: 1, bytes: 100 });
  });

  it('refuses the write that would pass a limit, not the one that reaches it', () => {
    const quota = { bytesMax: 1000, objectsMax: 10 };
    expect(quotaBreach('bucket', quota, usage, { objects: 1, bytes: 100 })).toBeUndefined();
    expect(quotaBreach('bucket', quota, usage, { objects: 1, bytes: 101 })).toMatchObject({
      kind: 'bytes',
      limit: 1000,
    });
    expect(
      quotaBreach('user', quota, { objects: 10, bytes: 0 }, { objects: 1, bytes: 0 }),
    ).toMatchObject({ scope: 'user', kind: 'objects' });
  });

  it('never refuses a write that frees space, even above the quota', () => {
    const quota = { bytesMax: 10, objectsMax: 1 };
    expect(quotaBreach('bucket', quota, usage, { objects: 0, bytes: -50 })).toBeUndefined();
    expect(quotaBreach('bucket', quota, usage, { objects: -1, bytes: -900 })).toBeUndefined();
    expect(quotaBreach('bucket', undefined, usage, { objects: 5, bytes: 5000 })).toBeUndefined();
  });

  it('says which limit and the figures', () => {
    const breach = quotaBreach('bucket', { objectsMax: 0 }, usage, { objects: 1, bytes: 1 })!;
    expect(breachMessage(breach)).toBe(
      'The bucket quota of 0 objects would be exceeded (9 in use, this write adds 1).',
    );
  });
});
