import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originForm } from '../../../src/http/proxy-target.js';

describe('proxy targets: absolute form to origin form', () => {
  it.each([
    ['http://s3.amazonaws.com/bucket/key', '/bucket/key'],
    ['http://bucket.s3.amazonaws.com/a%20b/c?acl', '/a%20b/c?acl'],
    ['HTTP://S3.AMAZONAWS.COM:80/b?uploads=', '/b?uploads='],
    ['https://s3.amazonaws.com', '/'],
    ['http://s3.amazonaws.com?max-keys=1', '/?max-keys=1'],
    ['http://host/../x//y/./z', '/../x//y/./z'],
    ['/bucket/key?x=1', '/bucket/key?x=1'],
    ['*', '*'],
    ['http:///nohost', 'http:///nohost'],
    ['ftp://host/x', 'ftp://host/x'],
  ])('%s → %s', (target, expected) => {
    expect(originForm(target)).toBe(expected);
  });

  it('keeps the path and query byte for byte', () => {
    fc.assert(
      fc.property(fc.domain(), fc.string({ unit: 'grapheme-ascii' }), (host, tail) => {
        const path = `/${tail.replace(/[?#]/g, '')}`;
        expect(originForm(`http://${host}${path}`)).toBe(path);
      }),
    );
  });
});
