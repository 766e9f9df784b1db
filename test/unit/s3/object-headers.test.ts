// Content-Encoding as an object keeps it: aws-chunked is transport framing and is taken out;
// anything else is kept exactly as sent (ceph/s3-tests test_object_content_encoding_aws_chunked).

import { describe, expect, it } from 'vitest';

import { storedContentEncoding, storedHeadersOf } from '../../../src/s3/object-headers.js';

describe('object headers: stored Content-Encoding', () => {
  it.each([
    ['gzip', 'gzip'],
    ['deflate, gzip', 'deflate, gzip'],
    ['deflate,gzip', 'deflate,gzip'],
    ['gzip, aws-chunked', 'gzip'],
    ['aws-chunked, gzip', 'gzip'],
    ['deflate, aws-chunked, gzip', 'deflate, gzip'],
    ['aws-chunked', undefined],
    ['aws-chunked, aws-chunked', undefined],
    ['AWS-Chunked', undefined],
    [' aws-chunked ,br', 'br'],
    ['', ''],
    [undefined, undefined],
  ] as const)('object headers: Content-Encoding %j is stored as %j', (sent, stored) => {
    expect(storedContentEncoding(sent)).toBe(stored);
  });

  it('object headers: a PUT with only aws-chunked stores no Content-Encoding', () => {
    expect(storedHeadersOf({ 'content-encoding': 'aws-chunked' })).toEqual({
      contentType: 'binary/octet-stream',
    });
    expect(storedHeadersOf({ 'content-encoding': 'aws-chunked, gzip' }).contentEncoding).toBe(
      'gzip',
    );
  });
});
