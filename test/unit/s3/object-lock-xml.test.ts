/**
 * Object lock's wire formats (s3/object-lock-xml.ts): the bodies and headers AWS documents
 * are read and written back as AWS writes them; anything else is refused with AWS's code.
 */
import { describe, expect, it } from 'vitest';
import {
  lockFromHeaders,
  lockResponseHeaders,
  parseLegalHoldXml,
  parseLockConfigurationXml,
  parseRetentionXml,
  renderLockConfigurationXml,
} from '../../../src/s3/object-lock-xml.js';

const NOW = Date.UTC(2026, 0, 1);
const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};
const config = (inner: string) =>
  `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${inner}` +
  `</ObjectLockConfiguration>`;
const rule = (inner: string) =>
  config(`<Rule><DefaultRetention>${inner}</DefaultRetention></Rule>`);

describe('ObjectLockConfiguration', () => {
  it('reads a rule of days or years and writes it back', () => {
    const lock = parseLockConfigurationXml(rule('<Mode>GOVERNANCE</Mode><Days>30</Days>'));
    expect(lock).toEqual({ enabled: true, defaultRetention: { mode: 'GOVERNANCE', days: 30 } });
    expect(renderLockConfigurationXml(lock)).toContain(
      '<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule>',
    );
    expect(parseLockConfigurationXml(config(''))).toEqual({ enabled: true });
  });

  it.each([
    [rule('<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>'), 'MalformedXML'],
    [rule('<Mode>GOVERNANCE</Mode>'), 'MalformedXML'],
    [rule('<Mode>governance</Mode><Days>1</Days>'), 'MalformedXML'],
    [rule('<Days>1</Days>'), 'MalformedXML'],
    [rule('<Mode>COMPLIANCE</Mode><Days>0</Days>'), 'InvalidRetentionPeriod'],
    [rule('<Mode>COMPLIANCE</Mode><Years>-1</Years>'), 'InvalidRetentionPeriod'],
    [rule('<Mode>COMPLIANCE</Mode><Days>1.5</Days>'), 'InvalidRetentionPeriod'],
    [
      '<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled>' +
        '</ObjectLockConfiguration>',
      'MalformedXML',
    ],
    ['<ObjectLockConfiguration/>', 'MalformedXML'],
    ['<Other/>', 'MalformedXML'],
    ['<ObjectLockConfiguration>', 'MalformedXML'],
  ])('refuses %s with %s', (xml, code) => {
    expect(codeOf(() => parseLockConfigurationXml(xml))).toBe(code);
  });
});

describe('Retention and LegalHold', () => {
  const retention = (inner: string) => `<Retention>${inner}</Retention>`;

  it('reads a retention; an empty one removes it', () => {
    const xml = retention(
      '<Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>',
    );
    expect(parseRetentionXml(xml, NOW)).toEqual({
      mode: 'COMPLIANCE',
      untilMs: Date.UTC(2030, 0, 1),
    });
    expect(parseRetentionXml('<Retention/>', NOW)).toBeUndefined();
  });

  it.each([
    [
      retention('<Mode>GOVERNANCE</Mode><RetainUntilDate>2020-01-01T00:00:00Z</RetainUntilDate>'),
      'InvalidArgument',
    ],
    [
      retention('<Mode>abc</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>'),
      'MalformedXML',
    ],
    [
      retention('<Mode>GOVERNANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate>'),
      'MalformedXML',
    ],
    [retention('<Mode>GOVERNANCE</Mode>'), 'MalformedXML'],
  ])('refuses %s with %s', (xml, code) => {
    expect(codeOf(() => parseRetentionXml(xml, NOW))).toBe(code);
  });

  it('a legal hold is ON or OFF, nothing else', () => {
    expect(parseLegalHoldXml('<LegalHold><Status>ON</Status></LegalHold>')).toBe(true);
    expect(parseLegalHoldXml('<LegalHold><Status>OFF</Status></LegalHold>')).toBe(false);
    for (const status of ['on', 'abc', '']) {
      const xml = `<LegalHold><Status>${status}</Status></LegalHold>`;
      expect(codeOf(() => parseLegalHoldXml(xml))).toBe('MalformedXML');
    }
  });
});

describe('lock headers', () => {
  it('reads mode with date and a legal hold, and answers them back', () => {
    const lock = lockFromHeaders(
      {
        'x-amz-object-lock-mode': 'GOVERNANCE',
        'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00.000Z',
        'x-amz-object-lock-legal-hold': 'ON',
      },
      NOW,
    );
    expect(lock).toEqual({
      retention: { mode: 'GOVERNANCE', untilMs: Date.UTC(2030, 0, 1) },
      legalHold: true,
    });
    expect(lockResponseHeaders(lock!)).toEqual({
      'x-amz-object-lock-mode': 'GOVERNANCE',
      'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00.000Z',
      'x-amz-object-lock-legal-hold': 'ON',
    });
    expect(lockFromHeaders({ 'content-type': 'x' }, NOW)).toBeUndefined();
  });

  it.each([
    [{ 'x-amz-object-lock-mode': 'GOVERNANCE' }],
    [{ 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' }],
    [
      {
        'x-amz-object-lock-mode': 'X',
        'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z',
      },
    ],
    [
      {
        'x-amz-object-lock-mode': 'GOVERNANCE',
        'x-amz-object-lock-retain-until-date': '2020-01-01T00:00:00Z',
      },
    ],
    [{ 'x-amz-object-lock-legal-hold': 'on' }],
  ])('refuses %j with InvalidArgument', (headers) => {
    expect(codeOf(() => lockFromHeaders(headers, NOW))).toBe('InvalidArgument');
  });
});
