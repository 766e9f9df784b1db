/**
 * `cairn-admin quota`'s own checks, made before any request: exactly one of --user and
 * --bucket, a well-formed name, at least one limit, values parsed (none removes a limit).
 */
import { describe, expect, it } from 'vitest';
import { quotaPath, quotaSetBody, quotaText } from '../../../src/cli/quota-commands.js';

describe('cairn-admin quota', () => {
  it('names one user or one bucket', () => {
    expect(quotaPath({ user: 'AKIA_1' })).toBe('/riak-cs/quota/user/AKIA_1');
    expect(quotaPath({ bucket: 'photos' })).toBe('/riak-cs/quota/bucket/photos');
    expect(() => quotaPath({})).toThrow(/name one of/);
    expect(() => quotaPath({ user: 'A', bucket: 'b' })).toThrow(/name one of/);
    expect(() => quotaPath({ user: '../x' })).toThrow(/not an access key id/);
    expect(() => quotaPath({ bucket: 'a/../b' })).toThrow(/not a bucket name/);
  });

  it('builds the JSON body', () => {
    expect(JSON.parse(quotaSetBody({ maxBytes: '10GiB' }))).toEqual({ max_bytes: 10 * 2 ** 30 });
    expect(JSON.parse(quotaSetBody({ maxBytes: 'none', maxObjects: '5' }))).toEqual({
      max_bytes: null,
      max_objects: 5,
    });
    expect(() => quotaSetBody({})).toThrow(/give --max-bytes/);
    expect(() => quotaSetBody({ maxBytes: '-1' })).toThrow(/not a size/);
    expect(() => quotaSetBody({ maxObjects: 'lots' })).toThrow(/not a number of objects/);
  });

  it('prints limits and usage', () => {
    const text = quotaText({
      bucket: 'photos',
      max_bytes: 2048,
      max_objects: null,
      usage: { bytes: 0, objects: 0 },
    });
    expect(text).toBe(
      'bucket photos\n' +
        '  max bytes   : 2.0 KiB (2048 bytes)\n' +
        '  max objects : none\n' +
        '  in use      : 0 B in 0 objects\n',
    );
  });
});
