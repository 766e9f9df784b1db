/**
 * The S3 front end's pure parts: operation parsing, ranges, conditions, bucket names,
 * hostile XML, and the error table.
 */
import { describe, expect, it } from 'vitest';
import { checkBucketName } from '../../../src/s3/bucket-name.js';
import { checkConditions } from '../../../src/s3/conditions.js';
import { S3_ERRORS, S3Error } from '../../../src/http/errors.js';
import { checkObjectKey, parseOperation } from '../../../src/s3/operation.js';
import { renderTagging } from '../../../src/s3/tags.js';
import { parseRange } from '../../../src/s3/range.js';
import { parseRequestXml, renderErrorXml, renderXml } from '../../../src/http/xml.js';

const op = (method: string, path: string, query = '') =>
  parseOperation({ method, path, query: new URLSearchParams(query) });

describe('parseOperation', () => {
  it('maps methods and paths to operations, keeping every slash of a key', () => {
    expect(op('GET', '/')).toEqual({ name: 'ListBuckets' });
    expect(op('PUT', '/b')).toEqual({ name: 'CreateBucket', bucket: 'b' });
    expect(op('GET', '/b/', 'list-type=2')).toEqual({ name: 'ListObjectsV2', bucket: 'b' });
    expect(op('GET', '/b', 'location')).toEqual({ name: 'GetBucketLocation', bucket: 'b' });
    expect(op('GET', '/b//a//k/')).toEqual({ name: 'GetObject', bucket: 'b', key: '/a//k/' });
    expect(
      parseOperation({
        method: 'GET',
        path: '/k/x',
        query: new URLSearchParams(),
        bucketFromHost: 'vb',
      }),
    ).toEqual({ name: 'GetObject', bucket: 'vb', key: 'k/x' });
  });

  it('answers NotImplemented for unsupported sub-resources and KeyTooLong past 1024 bytes', () => {
    expect(() => op('GET', '/b', 'logging')).toThrow(
      expect.objectContaining({ code: 'NotImplemented' }),
    );
    expect(() => op('PUT', '/b/' + 'é'.repeat(513))).toThrow(
      expect.objectContaining({ code: 'KeyTooLongError' }),
    );
    expect(() => op('PUT', '/b/' + 'k'.repeat(1024))).not.toThrow();
  });
});

describe('parseRange', () => {
  it('reads the three forms and ignores what S3 ignores', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=3-', 10)).toEqual({ start: 3, end: 9 });
    expect(parseRange('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange('bytes=-40', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
  });

  it('throws InvalidRange (416) with Content-Range past the end', () => {
    try {
      parseRange('bytes=10-', 10);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'InvalidRange', status: 416 });
      expect((error as S3Error).headers['content-range']).toBe('bytes */10');
    }
  });
});

describe('checkConditions', () => {
  const modified = Date.parse('2026-01-02T00:00:00Z');
  const check = (headers: Record<string, string>) => () =>
    checkConditions(headers, 'abc', modified);
  it('applies If-Match, If-None-Match and the date conditions with S3 precedence', () => {
    expect(check({ 'if-match': '"abc"' })).not.toThrow();
    expect(check({ 'if-match': '"xyz"' })).toThrow(
      expect.objectContaining({ code: 'PreconditionFailed' }),
    );
    expect(check({ 'if-none-match': '"abc"' })).toThrow(
      expect.objectContaining({ code: 'NotModified' }),
    );
    expect(check({ 'if-modified-since': 'Sat, 03 Jan 2026 00:00:00 GMT' })).toThrow(
      expect.objectContaining({ code: 'NotModified' }),
    );
    expect(check({ 'if-unmodified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' })).toThrow(
      expect.objectContaining({ code: 'PreconditionFailed' }),
    );
    expect(
      check({ 'if-match': '"abc"', 'if-unmodified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' }),
    ).not.toThrow();
  });
});

describe('bucket names', () => {
  it('accepts DNS-compatible names and refuses the rest', () => {
    for (const ok of ['abc', 'riakbucket', 'a.b-c', '0ab', 'x'.repeat(63)]) {
      expect(() => checkBucketName(ok), ok).not.toThrow();
    }
    for (const bad of [
      'ab',
      'x'.repeat(64),
      'ABC',
      'a_b',
      '.ab',
      'ab-',
      'a..b',
      '10.0.0.1',
      'xn--ab',
    ]) {
      expect(() => checkBucketName(bad), bad).toThrow(S3Error);
    }
  });
});

describe('xml', () => {
  it('refuses DOCTYPE and entity declarations and malformed documents', () => {
    expect(() => parseRequestXml('<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')).toThrow(
      expect.objectContaining({ code: 'MalformedXML' }),
    );
    expect(() => parseRequestXml('<a><b></a>')).toThrow(
      expect.objectContaining({ code: 'MalformedXML' }),
    );
    expect(parseRequestXml('<a><b>c</b></a>')).toEqual({ a: { b: 'c' } });
  });

  it('escapes text and renders S3 error bodies', () => {
    expect(renderXml('R', { Key: 'a<&>"b' })).toContain('<Key>a&lt;&amp;&gt;');
    const xml = renderErrorXml(S3Error.noSuchKey('k<'), '/b/k', 'REQ1');
    expect(xml).toContain('<Code>NoSuchKey</Code>');
    expect(xml).toContain('<Key>k&lt;</Key>');
    expect(xml).toContain('<RequestId>REQ1</RequestId>');
  });

  it('has a status and message for every error code', () => {
    for (const [code, entry] of Object.entries(S3_ERRORS)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(300);
      expect(entry.message.length, code).toBeGreaterThan(0);
    }
  });
});

describe('object keys', () => {
  const code = (key: string) => {
    try {
      checkObjectKey(key);
      return 'ok';
    } catch (error) {
      return (error as S3Error).code;
    }
  };

  it('refuses C1 control characters (InvalidURI) and keys past 1,024 bytes', () => {
    expect(code('\u00ae\u008a-')).toBe('InvalidURI');
    expect(code('a\u0080')).toBe('InvalidURI');
    expect(code('a\u009f')).toBe('InvalidURI');
    expect(code('k'.repeat(1025))).toBe('KeyTooLongError');
    for (const ok of ['\u00ae-', 'a\u00a0b', 'tab\there', 'k'.repeat(1024), '日本/ü']) {
      expect(code(ok), ok).toBe('ok');
    }
    expect(() => op('GET', '/b/\u00ae\u008a-')).toThrow(
      expect.objectContaining({ code: 'InvalidURI', message: "Couldn't parse the specified URI." }),
    );
  });

  it('parses GET ?torrent on an object as GetObjectTorrent', () => {
    expect(op('GET', '/b/k', 'torrent')).toEqual({
      name: 'GetObjectTorrent',
      bucket: 'b',
      key: 'k',
    });
    expect(() => op('GET', '/b', 'torrent')).toThrow(
      expect.objectContaining({ code: 'NotImplemented' }),
    );
  });
});

describe('tag sets', () => {
  it('render in key order (UTF-8 bytes), whatever order they were given in', () => {
    const xml = renderTagging([
      { key: 'foo', value: 'bar' },
      { key: 'bar', value: '' },
      { key: 'Hello', value: 'World' },
    ]);
    const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
    expect(keys).toEqual(['Hello', 'bar', 'foo']);
  });
});
