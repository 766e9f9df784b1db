/**
 * Lifecycle rule evaluation (src/objects/lifecycle/rules.ts): AWS's rounding of Days to the
 * next midnight UTC, filters, the x-amz-expiration header, noncurrent versions with
 * NewerNoncurrentVersions, lone delete markers and incomplete uploads; with properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentDue,
  daysAfter,
  dueVersions,
  expirationHeader,
  expiryOf,
  ruleMatches,
  uploadDue,
  type LifecycleRule,
  type VersionView,
} from '../../../src/objects/lifecycle/rules.js';

const DAY = 86_400_000;
const base = { enabled: true, form: 'filter' as const, filter: {} };
const expire = (days: number, filter = {}): LifecycleRule => ({
  ...base,
  id: `d${days}`,
  filter,
  expiration: { days },
});

describe('daysAfter', () => {
  it('rounds creation + Days up to the next midnight UTC, as AWS documents', () => {
    // AWS's example: created 2014-01-15 10:30 UTC, 3 days: expires 2014-01-19 00:00 UTC.
    const created = Date.UTC(2014, 0, 15, 10, 30);
    expect(new Date(daysAfter(created, 3, DAY)).toISOString()).toBe('2014-01-19T00:00:00.000Z');
    expect(daysAfter(Date.UTC(2014, 0, 15), 1, DAY)).toBe(Date.UTC(2014, 0, 16));
  });

  it('is a midnight at least Days after creation, less than a day later (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 1, max: 3650 }),
        (created, days) => {
          const at = daysAfter(created, days, DAY);
          expect(at % DAY).toBe(0);
          expect(at).toBeGreaterThanOrEqual(created + days * DAY);
          expect(at - (created + days * DAY)).toBeLessThan(DAY);
        },
      ),
    );
  });

  it("counts a test day from the moment itself, as RGW's debug interval", () => {
    expect(daysAfter(12_345, 3, 2000)).toBe(18_345);
  });
});

describe('filters', () => {
  const subject = { key: 'logs/a', size: 10, tags: [{ key: 'k', value: 'v' }] };
  it('match on prefix, every tag, and strict size bounds', () => {
    expect(ruleMatches({}, subject)).toBe(true);
    expect(ruleMatches({ prefix: 'logs/' }, subject)).toBe(true);
    expect(ruleMatches({ prefix: 'log/' }, subject)).toBe(false);
    expect(ruleMatches({ tags: [{ key: 'k', value: 'v' }] }, subject)).toBe(true);
    expect(ruleMatches({ tags: [{ key: 'k', value: 'w' }] }, subject)).toBe(false);
    expect(
      ruleMatches(
        {
          tags: [
            { key: 'k', value: 'v' },
            { key: 'x', value: '' },
          ],
        },
        subject,
      ),
    ).toBe(false);
    expect(ruleMatches({ sizeGreaterThan: 9, sizeLessThan: 11 }, subject)).toBe(true);
    expect(ruleMatches({ sizeGreaterThan: 10 }, subject)).toBe(false);
    expect(ruleMatches({ sizeLessThan: 10 }, subject)).toBe(false);
  });

  it('an And filter is the conjunction of its parts (property)', () => {
    const filter = fc.record(
      { prefix: fc.constantFrom('', 'a', 'ab'), sizeGreaterThan: fc.nat(20) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(filter, filter, fc.string({ maxLength: 3 }), fc.nat(30), (f, g, key, size) => {
        const s = { key, size };
        const both = ruleMatches({ ...f, ...g }, s);
        // Merging two filters on different fields is and-ing them.
        if (f.prefix === undefined || g.prefix === undefined) {
          if (f.sizeGreaterThan === undefined || g.sizeGreaterThan === undefined) {
            expect(both).toBe(ruleMatches(f, s) && ruleMatches(g, s));
          }
        }
      }),
    );
  });
});

describe('current objects', () => {
  const created = Date.UTC(2024, 5, 1, 12);
  const object = { key: 'a', size: 1, lastModifiedMs: created };
  it('take the earliest enabled matching rule, Days or Date', () => {
    const rules: LifecycleRule[] = [
      expire(5),
      expire(2),
      { ...expire(1), id: 'off', enabled: false },
      { ...expire(1, { prefix: 'b' }), id: 'other' },
      { ...base, id: 'date', expiration: { dateMs: Date.UTC(2030, 0, 1) } },
    ];
    expect(expiryOf(rules, object, DAY)).toEqual({ atMs: Date.UTC(2024, 5, 4), ruleId: 'd2' });
    expect(currentDue(rules, object, Date.UTC(2024, 5, 3, 23), DAY)).toBe(false);
    expect(currentDue(rules, object, Date.UTC(2024, 5, 4), DAY)).toBe(true);
    expect(expiryOf([rules[2]!, rules[3]!], object, DAY)).toBeUndefined();
  });

  it('render x-amz-expiration as AWS does, the rule id URL-encoded', () => {
    const header = expirationHeader({ atMs: Date.UTC(2012, 11, 23), ruleId: 'pic "x"\r\né' });
    expect(header).toBe(
      'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="pic%20%22x%22%0D%0A%C3%A9"',
    );
  });
});

describe('versions', () => {
  const v = (atDay: number, extra: Partial<VersionView> = {}): VersionView => ({
    key: 'k',
    size: 1,
    lastModifiedMs: atDay * DAY,
    ...extra,
  });
  const nc = (days: number, newer?: number): LifecycleRule => ({
    ...base,
    id: 'nc',
    noncurrentExpiration: {
      noncurrentDays: days,
      ...(newer === undefined ? {} : { newerNoncurrentVersions: newer }),
    },
  });

  it('expire noncurrent versions NoncurrentDays after their successor was written', () => {
    const versions = [v(10), v(5), v(1)];
    // v(5) is noncurrent since day 10, v(1) since day 5: with 2 days, due days 12 and 7.
    expect(dueVersions([nc(2)], versions, 7 * DAY, DAY)).toEqual([2]);
    expect(dueVersions([nc(2)], versions, 12 * DAY, DAY)).toEqual([1, 2]);
  });

  it('keep the NewerNoncurrentVersions newest noncurrent versions', () => {
    const versions = [v(10), v(9), v(8), v(7)];
    expect(dueVersions([nc(1, 2)], versions, 100 * DAY, DAY)).toEqual([3]);
  });

  it('remove a current delete marker only once no other version is left', () => {
    const marker: LifecycleRule = {
      ...base,
      id: 'dm',
      expiration: { expiredObjectDeleteMarker: true },
    };
    expect(dueVersions([marker], [v(3, { deleteMarker: true })], 4 * DAY, DAY)).toEqual([0]);
    expect(dueVersions([marker], [v(3, { deleteMarker: true }), v(1)], 4 * DAY, DAY)).toEqual([]);
    const both = [marker, nc(1)];
    expect(dueVersions(both, [v(3, { deleteMarker: true }), v(1)], 4 * DAY, DAY)).toEqual([1, 0]);
    expect(dueVersions([marker], [v(3)], 4 * DAY, DAY)).toEqual([]);
  });

  it('remove a lone delete marker under Expiration Days once it is that old', () => {
    const lone = [v(3, { deleteMarker: true })];
    expect(dueVersions([expire(5)], lone, 7 * DAY, DAY)).toEqual([]);
    expect(dueVersions([expire(5)], lone, 8 * DAY, DAY)).toEqual([0]);
  });

  it('never remove the current version (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(200),
        (days, ncDays, now) => {
          const versions = [...days].sort((a, b) => b - a).map((d) => v(d));
          expect(dueVersions([nc(ncDays)], versions, now * DAY, DAY)).not.toContain(0);
        },
      ),
    );
  });
});

describe('uploads', () => {
  it('abort DaysAfterInitiation days after initiation, by prefix', () => {
    const rule: LifecycleRule = {
      ...base,
      id: 'mp',
      filter: { prefix: 'u' },
      abortIncompleteDays: 2,
    };
    const upload = { key: 'u1', initiatedMs: Date.UTC(2024, 0, 1, 6) };
    expect(uploadDue([rule], upload, Date.UTC(2024, 0, 3, 23), DAY)).toBe(false);
    expect(uploadDue([rule], upload, Date.UTC(2024, 0, 4), DAY)).toBe(true);
    expect(uploadDue([rule], { ...upload, key: 'x' }, Date.UTC(2025, 0, 4), DAY)).toBe(false);
  });
});
