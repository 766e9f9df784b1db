import fc from 'fast-check';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, REDACTED, redactLine, redactUrl } from '../../../ring/logging.js';

describe('logging: redactUrl', () => {
  it.each([
    ['/b/k', '/b/k'],
    ['/b/k?uploads', '/b/k?uploads'],
    [
      '/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F2025&X-Amz-Signature=ab12',
      `/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${REDACTED}` +
        `&X-Amz-Signature=${REDACTED}`,
    ],
    [
      '/b/k?AWSAccessKeyId=AK&Expires=1&Signature=a%2Bb%3D',
      `/b/k?AWSAccessKeyId=AK&Expires=1&Signature=${REDACTED}`,
    ],
    ['/b?x-amz-security-token=tok&prefix=a', `/b?x-amz-security-token=${REDACTED}&prefix=a`],
    ['/b?X%2DAmz%2DSignature=ab', `/b?X%2DAmz%2DSignature=${REDACTED}`],
    ['/b?signature', '/b?signature'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('never lets a signature value through, whatever surrounds it', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9%+/=]{8,64}$/);
    const name = fc.constantFrom('X-Amz-Signature', 'Signature', 'x-amz-credential');
    const other = fc.array(fc.stringMatching(/^[a-z-]{1,8}=[a-z0-9]{0,8}$/), { maxLength: 4 });
    fc.assert(
      fc.property(name, value, other, other, (n, v, before, after) => {
        const url = `/b/k?${[...before, `${n}=${v}`, ...after].join('&')}`;
        const redacted = redactUrl(url);
        expect(redacted).toContain(`${n}=${REDACTED}`);
        expect(redactLine(JSON.stringify({ msg: `failed ${url}` }))).not.toContain(`=${v}`);
      }),
    );
  });
});

describe('logging: redactLine', () => {
  it.each([
    ['Authorization: AWS AKIA1234:c2lnbmF0dXJl', `Authorization: AWS AKIA1234:${REDACTED}`],
    [
      'AWS4-HMAC-SHA256 Credential=AK/2025/us-east-1/s3/aws4_request, Signature=ab12',
      `AWS4-HMAC-SHA256 Credential=${REDACTED}, Signature=${REDACTED}`,
    ],
    ['"url":"/b?Signature=x%2By"', `"url":"/b?Signature=${REDACTED}"`],
    ['plain text stays', 'plain text stays'],
  ])('%s', (line, expected) => {
    expect(redactLine(line)).toBe(expected);
  });
});

describe('logging: the pino options', () => {
  it('hide secret fields and headers, and log a request without its headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino(loggerOptions('trace'), sink);
    log.info({ user: { keyId: 'AK', secret: 'topsecretvalue' } }, 'created');
    log.info({ headers: { authorization: 'AWS AK:sig', 'x-cairn-cookie': 'cookievalue' } });
    const req = {
      method: 'GET',
      url: '/b/k?X-Amz-Signature=deadbeef',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x, Signature=beef' },
    };
    log.trace({ req }, 'incoming request');
    const text = lines.join('');
    for (const secret of ['topsecretvalue', 'AK:sig', 'cookievalue', 'deadbeef', 'beef']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"url":"/b/k?X-Amz-Signature=[redacted]"');
  });
});
