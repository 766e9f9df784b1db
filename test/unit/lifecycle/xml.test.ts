/**
 * The LifecycleConfiguration document (src/s3/lifecycle-xml.ts): what AWS accepts, the codes
 * it refuses with, and the round trip through GET in the form PUT used.
 */
import { describe, expect, it } from 'vitest';
import { parseLifecycleXml, renderLifecycle } from '../../../src/s3/lifecycle-xml.js';
import { parseOperation } from '../../../src/s3/operation.js';

const doc = (...rules: string[]) =>
  '<?xml version="1.0"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  `${rules.join('')}</LifecycleConfiguration>`;
/** `<name>inner</name>` */
const el = (name: string, inner: string | number = '') => `<${name}>${inner}</${name}>`;
const rule = (inner: string, id = 'r') => `<Rule><ID>${id}</ID>${inner}</Rule>`;
const days1 = '<Expiration><Days>1</Days></Expiration>';
const on = '<Status>Enabled</Status>';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('parseLifecycleXml', () => {
  it('reads every filter form and action', () => {
    const rules = parseLifecycleXml(
      doc(
        rule(`<Prefix>a/</Prefix>${on}${days1}`, 'p'),
        rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${on}${days1}`, 't'),
        rule(
          '<Filter><And><Prefix>x</Prefix><Tag><Key>a</Key><Value>1</Value></Tag>' +
            '<Tag><Key>b</Key><Value>2</Value></Tag>' +
            el('ObjectSizeGreaterThan', 5) +
            '<ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter><Status>Disabled</Status>' +
            '<NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays>' +
            '<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
          'and',
        ),
        rule(
          `<Filter/>${on}` +
            el('Expiration', el('ExpiredObjectDeleteMarker', 'true')) +
            el('AbortIncompleteMultipartUpload', el('DaysAfterInitiation', 2)),
          'dm',
        ),
        rule(
          `<Filter></Filter>${on}<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>`,
          'date',
        ),
      ),
    );
    expect(rules.map((r) => r.id)).toEqual(['p', 't', 'and', 'dm', 'date']);
    expect(rules[2]).toEqual({
      id: 'and',
      enabled: false,
      form: 'and',
      filter: {
        prefix: 'x',
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
        sizeGreaterThan: 5,
        sizeLessThan: 9,
      },
      noncurrentExpiration: { noncurrentDays: 3, newerNoncurrentVersions: 2 },
    });
    expect(rules[4]!.expiration).toEqual({ dateMs: Date.UTC(2030, 0, 1) });
    // GET gives back what PUT was given.
    expect(parseLifecycleXml(renderLifecycle(rules))).toEqual(rules);
  });

  it('gives a rule without an ID one, as S3 does', () => {
    const [a, b] = parseLifecycleXml(
      doc(
        `<Rule><Prefix>a</Prefix>${on}${days1}</Rule>`,
        `<Rule><Prefix>b</Prefix>${on}${days1}</Rule>`,
      ),
    );
    expect(a!.id).not.toBe(b!.id);
  });

  it("refuses with AWS's codes", () => {
    const cases: [string, string][] = [
      ['<LifecycleConfiguration/>', 'MalformedXML'],
      ['<Other/>', 'MalformedXML'],
      [doc(rule(`<Prefix/>${on}<Unknown/>${days1}`)), 'MalformedXML'],
      [doc(rule(`<Prefix/>${on}`)), 'MalformedXML'],
      [doc(rule(`${on}${days1}`)), 'MalformedXML'],
      [doc(rule(`<Prefix/><Filter/>${on}${days1}`)), 'MalformedXML'],
      [doc(rule(`<Prefix/><Status>enabled</Status>${days1}`)), 'MalformedXML'],
      [
        doc(rule(`<Filter><Prefix>a</Prefix><Tag><Key>k</Key></Tag></Filter>${on}${days1}`)),
        'MalformedXML',
      ],
      [
        doc(rule(`<Prefix/>${on}<Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration>`)),
        'MalformedXML',
      ],
      [doc(rule(`<Prefix/>${on}<Expiration><Days>x</Days></Expiration>`)), 'MalformedXML'],
      [doc(rule(`<Prefix/>${on}<Expiration><Days>0</Days></Expiration>`)), 'InvalidArgument'],
      [doc(rule(`<Prefix/>${on}<Expiration><Days>-1</Days></Expiration>`)), 'InvalidArgument'],
      [
        doc(rule(`<Prefix/>${on}<Expiration><Date>2030-01-01T01:00:00Z</Date></Expiration>`)),
        'InvalidArgument',
      ],
      [
        doc(rule(`<Prefix/>${on}<Expiration><Date>20200101</Date></Expiration>`)),
        'InvalidArgument',
      ],
      [
        doc(rule(`<Prefix/>${on}<Expiration><Date>2030-02-30</Date></Expiration>`)),
        'InvalidArgument',
      ],
      [doc(rule(`<Prefix/>${on}${days1}`, 'a'.repeat(256))), 'InvalidArgument'],
      [
        doc(
          rule(`<Prefix/>${on}${days1}`, 'same'),
          rule(`<Prefix>b</Prefix>${on}${days1}`, 'same'),
        ),
        'InvalidArgument',
      ],
      [
        doc(...Array.from({ length: 1001 }, (_, i) => rule(`<Prefix/>${on}${days1}`, `r${i}`))),
        'InvalidArgument',
      ],
      [
        doc(
          rule(
            el('Filter', el('And', el('ObjectSizeGreaterThan', 9) + el('ObjectSizeLessThan', 9))) +
              on +
              days1,
          ),
        ),
        'InvalidArgument',
      ],
      [
        doc(rule(`<Prefix/>${on}` + el('NoncurrentVersionExpiration', el('NoncurrentDays', 0)))),
        'InvalidArgument',
      ],
      [
        doc(
          rule(
            `<Prefix/>${on}` +
              el('Transition', el('Date', '20220927') + el('StorageClass', 'GLACIER')),
          ),
        ),
        'InvalidArgument',
      ],
      [
        doc(
          rule(`<Prefix/>${on}` + el('Transition', el('Days', 30) + el('StorageClass', 'GLACIER'))),
        ),
        'NotImplemented',
      ],
      [
        doc(
          rule(
            `<Prefix/>${on}` +
              el(
                'NoncurrentVersionTransition',
                el('NoncurrentDays', 30) + el('StorageClass', 'GLACIER'),
              ),
          ),
        ),
        'NotImplemented',
      ],
      ['<!DOCTYPE x [<!ENTITY a "b">]><LifecycleConfiguration/>', 'MalformedXML'],
    ];
    for (const [xml, code] of cases)
      expect(
        codeOf(() => parseLifecycleXml(xml)),
        xml.slice(0, 300),
      ).toBe(code);
  });
});

describe('?lifecycle routing', () => {
  it('parses the three bucket operations', () => {
    const op = (method: string) =>
      parseOperation({ method, path: '/b', query: new URLSearchParams('lifecycle') });
    expect(op('GET')).toEqual({ name: 'GetBucketLifecycle', bucket: 'b' });
    expect(op('PUT')).toEqual({ name: 'PutBucketLifecycle', bucket: 'b' });
    expect(op('DELETE')).toEqual({ name: 'DeleteBucketLifecycle', bucket: 'b' });
    expect(codeOf(() => op('POST'))).toBe('MethodNotAllowed');
  });
});
