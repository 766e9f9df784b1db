import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listingXml, renderErrorXml, renderXml } from '../../../src/http/xml.js';
import { S3Error } from '../../../src/http/errors.js';
import { parseStrictXml } from '../../helpers/strict-xml.js';

describe('xml: no document carries a character XML 1.0 forbids', () => {
  it('any text renders as strict XML 1.0 (escaped where it must be)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        parseStrictXml(renderXml('Doc', { Key: text, List: [{ Key: text }] }));
        parseStrictXml(renderErrorXml(new S3Error('NoSuchKey'), text, 'ID'));
      }),
    );
  });

  it('percent-encodes only the forbidden characters; tab, LF and CR stay', () => {
    const xml = renderXml('Doc', { Key: 'a\u0001b\u0009c\u000ad\uffffe' });
    expect(xml).toContain('<Key>a%01b\tc\nd%EF%BF%BFe</Key>');
  });

  it('a listing without encoding-type=url holding one is refused; with it, escaped', () => {
    const body = { Contents: [{ Key: 'ok' }, { Key: 'bad\u0002' }] };
    expect(() => renderXml('ListBucketResult', body, listingXml(undefined))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    expect(renderXml('ListBucketResult', body, listingXml('url'))).toContain('bad%02');
    expect(renderXml('ListBucketResult', { Key: 'fine' }, listingXml(undefined))).toContain('fine');
  });
});
