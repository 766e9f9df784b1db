/**
 * Pure parts of the sub-resources: operation parsing, tag validation, CORS rule parsing and
 * matching (with properties), conditional-PUT checks, and the bucket settings merge laws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergeSettingsRecords,
  settingsOf,
  type SettingsRecord,
} from '../../../src/objects/bucket-settings.js';
import {
  corsResponseHeaders,
  matchCorsRule,
  corsPatternMatches,
  parseCorsXml,
} from '../../../src/s3/cors-rules.js';
import { parseOperation } from '../../../src/s3/operation.js';
import { checkPutConditions, putConditionsOf } from '../../../src/s3/put-conditions.js';
import {
  checkTags,
  parseTaggingHeader,
  parseTaggingXml,
  renderTagging,
} from '../../../src/s3/tags.js';

const op = (method: string, path: string, query = '') =>
  parseOperation({ method, path, query: new URLSearchParams(query) });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('sub-resource operations', () => {
  it('parses versioning, tagging, CORS, encryption, preflight, POST and object lock', () => {
    expect(op('GET', '/b', 'versioning')).toEqual({ name: 'GetBucketVersioning', bucket: 'b' });
    expect(op('GET', '/b', 'versions&prefix=a')).toEqual({
      name: 'ListObjectVersions',
      bucket: 'b',
    });
    expect(op('PUT', '/b/k', 'tagging')).toEqual({
      name: 'PutObjectTagging',
      bucket: 'b',
      key: 'k',
    });
    expect(op('DELETE', '/b', 'cors')).toEqual({ name: 'DeleteBucketCors', bucket: 'b' });
    expect(op('GET', '/b', 'encryption')).toEqual({ name: 'GetBucketEncryption', bucket: 'b' });
    expect(op('PUT', '/b', 'encryption')).toEqual({ name: 'PutBucketEncryption', bucket: 'b' });
    expect(op('DELETE', '/b', 'encryption')).toEqual({
      name: 'DeleteBucketEncryption',
      bucket: 'b',
    });
    expect(op('OPTIONS', '/b/k', 'uploads')).toEqual({
      name: 'CorsPreflight',
      bucket: 'b',
      key: 'k',
    });
    expect(op('POST', '/b')).toEqual({ name: 'PostObject', bucket: 'b' });
    // Object lock is served now: its bucket and object sub-resources are parsed here.
    expect(op('PUT', '/b', 'object-lock')).toEqual({
      name: 'PutObjectLockConfiguration',
      bucket: 'b',
    });
    expect(op('GET', '/b/k', 'retention&versionId=null')).toEqual({
      name: 'GetObjectRetention',
      bucket: 'b',
      key: 'k',
    });
    expect(op('PUT', '/b/k', 'legal-hold')).toEqual({
      name: 'PutObjectLegalHold',
      bucket: 'b',
      key: 'k',
    });
    expect(codeOf(() => op('DELETE', '/b', 'object-lock'))).toBe('MethodNotAllowed');
    expect(op('GET', '/b/k', 'versionId=null')).toEqual({
      name: 'GetObject',
      bucket: 'b',
      key: 'k',
    });
  });

  it('keeps NotImplemented for what is not served and refuses other version ids', () => {
    for (const [method, query] of [
      ['GET', 'logging'],
      ['GET', 'replication'],
    ] as const) {
      expect(
        codeOf(() => op(method, '/b', query)),
        `${method} ?${query}`,
      ).toBe('NotImplemented');
    }
    expect(codeOf(() => op('POST', '/b', 'versioning'))).toBe('MethodNotAllowed');
    expect(codeOf(() => op('GET', '/b/k', 'versionId=abc'))).toBe('InvalidArgument');
  });
});

describe('tags', () => {
  it('parses Tagging documents and headers, and renders them back', () => {
    const xml =
      '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key>' +
      '<Value/></Tag></TagSet></Tagging>';
    const tags = parseTaggingXml(xml, 10);
    expect(tags).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '' },
    ]);
    expect(parseTaggingXml(renderTagging(tags), 10)).toEqual(tags);
    expect(parseTaggingXml('<Tagging><TagSet/></Tagging>', 10)).toEqual([]);
    expect(parseTaggingHeader('a=1&b=x%20y')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'x y' },
    ]);
  });

  it('answers MalformedXML or InvalidTag for every bad set', () => {
    for (const bad of [
      '',
      '<Tagging/>',
      '<Tagging><TagSet><Tag/></TagSet></Tagging>',
      '<Other/>',
    ]) {
      expect(
        codeOf(() => parseTaggingXml(bad, 10)),
        bad,
      ).toBe('MalformedXML');
    }
    const t = (key: string, value = '') => ({ key, value });
    for (const bad of [
      [t('')],
      [t('a'), t('a')],
      [t('k'.repeat(129))],
      [t('k', 'v'.repeat(257))],
      [t('aws:x')],
      [t('semi;colon')],
    ]) {
      expect(codeOf(() => checkTags(bad, 10))).toBe('InvalidTag');
    }
    expect(
      codeOf(() =>
        checkTags(
          Array.from({ length: 11 }, (_, i) => t(`k${i}`)),
          10,
        ),
      ),
    ).toBe('InvalidTag');
    expect(codeOf(() => checkTags([t('é'.repeat(128), 'ü'.repeat(256))], 10))).toBeUndefined();
  });
});

describe('CORS rules', () => {
  const config = (rules: string) => `<CORSConfiguration>${rules}</CORSConfiguration>`;
  const rule = (o: string, m: string, extra = '') =>
    `<CORSRule><AllowedOrigin>${o}</AllowedOrigin>` +
    `<AllowedMethod>${m}</AllowedMethod>${extra}</CORSRule>`;

  it('parses rules and refuses invalid ones', () => {
    const rules = parseCorsXml(
      config(
        rule(
          'https://*.a.com',
          'GET',
          '<AllowedHeader>X-Amz-*</AllowedHeader>' +
            '<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds><ID>r1</ID>',
        ),
      ),
    );
    expect(rules).toEqual([
      {
        id: 'r1',
        allowedOrigins: ['https://*.a.com'],
        allowedMethods: ['GET'],
        allowedHeaders: ['x-amz-*'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 60,
      },
    ]);
    expect(codeOf(() => parseCorsXml(config(rule('*', 'PATCH'))))).toBe('InvalidRequest');
    expect(codeOf(() => parseCorsXml(config(rule('*.*', 'GET'))))).toBe('InvalidRequest');
    expect(codeOf(() => parseCorsXml(config('')))).toBe('MalformedXML');
    expect(
      codeOf(() => parseCorsXml(config(rule('*', 'GET', '<MaxAgeSeconds>-1</MaxAgeSeconds>')))),
    ).toBe('MalformedXML');
    expect(codeOf(() => parseCorsXml(config(rule('*', 'GET').repeat(101))))).toBe('InvalidRequest');
  });

  it('matches the first rule allowing origin, method and every header', () => {
    const rules = parseCorsXml(
      config(
        rule('https://*.a.com', 'PUT', '<AllowedHeader>content-*</AllowedHeader>') +
          rule('*', 'GET'),
      ),
    );
    const ask = (origin: string, method: string, headers: string[] = []) =>
      matchCorsRule(rules, { origin, method, headers });
    expect(ask('https://x.a.com', 'PUT', ['content-type'])).toBe(rules[0]);
    expect(ask('https://x.a.com', 'PUT', ['authorization'])).toBeUndefined();
    expect(ask('https://x.b.com', 'PUT')).toBeUndefined();
    expect(ask('https://x.b.com', 'GET')).toBe(rules[1]);
    const headers = corsResponseHeaders(
      rules[1]!,
      { origin: 'o', method: 'GET', headers: [] },
      false,
    );
    expect(headers['access-control-allow-origin']).toBe('*');
  });

  it('corsPatternMatches: without * it is equality; head*tail matches head+any+tail', () => {
    const text = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(text, text, text, (head, middle, tail) => {
        const clean = (s: string) => s.replaceAll('*', '');
        const [h, m, t] = [clean(head), clean(middle), clean(tail)];
        expect(corsPatternMatches(`${h}*${t}`, h + m + t)).toBe(true);
        expect(corsPatternMatches(h, m)).toBe(h === m);
        expect(corsPatternMatches(`${h}*${t}`, h + t)).toBe(true);
      }),
    );
  });
});

describe('conditional PUT', () => {
  const current = { etag: 'abc' };
  it('holds and fails as S3 does', () => {
    const check = (h: Record<string, string>, c?: { etag: string }) =>
      codeOf(() => checkPutConditions(putConditionsOf(h)!, c, 'k'));
    expect(check({ 'if-none-match': '*' })).toBeUndefined();
    expect(check({ 'if-none-match': '*' }, current)).toBe('PreconditionFailed');
    expect(check({ 'if-match': '"abc"' }, current)).toBeUndefined();
    expect(check({ 'if-match': '"xyz", "abc"' }, current)).toBeUndefined();
    expect(check({ 'if-match': '"xyz"' }, current)).toBe('PreconditionFailed');
    expect(check({ 'if-match': '"abc"' })).toBe('NoSuchKey');
    expect(check({ 'if-none-match': '"abc"' }, current)).toBe('PreconditionFailed');
    expect(check({ 'if-none-match': '"xyz", "abc"' }, current)).toBe('PreconditionFailed');
    expect(check({ 'if-none-match': '"xyz"' }, current)).toBeUndefined();
    expect(check({ 'if-none-match': '"abc"' })).toBeUndefined();
    expect(check({ 'if-match': '*' })).toBe('NoSuchKey');
    expect(check({ 'if-match': '*' }, current)).toBeUndefined();
    expect(codeOf(() => putConditionsOf({ 'if-none-match': ' ' }))).toBe('InvalidArgument');
    expect(putConditionsOf({})).toBeUndefined();
  });
});

describe('bucket settings merge', () => {
  const register = fc.record({
    value: fc.option(fc.constant([{ key: 'k', value: 'v' }]), { nil: null }),
    atMs: fc.integer({ min: 0, max: 5 }),
    writeId: fc.constantFrom('a', 'b', 'c'),
  });
  const record = fc.record(
    {
      format: fc.constant(1 as const),
      tags: register,
      versioning: register.map((r) => ({ ...r, value: r.value && ('Suspended' as const) })),
    },
    { requiredKeys: ['format'] },
  ) as fc.Arbitrary<SettingsRecord>;

  it('is commutative, associative and idempotent (so siblings converge)', () => {
    fc.assert(
      fc.property(record, record, record, (a, b, c) => {
        const m = (...r: SettingsRecord[]) => mergeSettingsRecords(r);
        expect(m(a, b)).toEqual(m(b, a));
        expect(m(m(a, b), c)).toEqual(m(a, m(b, c)));
        expect(m(a, a)).toEqual(m(a));
      }),
    );
  });

  it('keeps concurrent writes of different fields and the newest of one field', () => {
    const tags = { value: [{ key: 't', value: '1' }], atMs: 5, writeId: 'x' };
    const deleted = { value: null, atMs: 6, writeId: 'y' };
    const cors = { value: [], atMs: 1, writeId: 'z' };
    const merged = mergeSettingsRecords([
      { format: 1, tags },
      { format: 1, cors },
      { format: 1, tags: deleted },
    ]);
    expect(settingsOf(merged)).toEqual({ cors: [] });
    expect(
      settingsOf(
        mergeSettingsRecords([
          { format: 1, tags },
          { format: 1, cors },
        ]),
      ),
    ).toEqual({
      tags: tags.value,
      cors: [],
    });
  });
});
