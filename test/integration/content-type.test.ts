/**
 * S3 stores whatever Content-Type an upload sends, valid media type or not ('binary', or
 * an empty value some clients send when signing presigned PUTs), and returns it on GET.
 * fastify refuses such bodies with 415 before any handler runs unless the app stops it.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signV2 } from '../../src/auth/sigv2.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;

useCairn({ buckets: ['types'] }, (started) => ({ server } = started));

describe('content types', () => {
  it.each(['binary', 'x', '', 'text/plain; charset', 'application/xml'])(
    'stores and returns Content-Type %j (SigV4)',
    async (type) => {
      const body = randomBytes(1000);
      const path = `/types/v4-${encodeURIComponent(type || 'empty')}`;
      const put = await signedFetch(server.url, path, {
        method: 'PUT',
        headers: { 'content-type': type },
        body,
        credentials: server,
      });
      expect(put.status, await put.text()).toBe(200);
      const got = await signedFetch(server.url, path, { credentials: server });
      expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
      if (type !== '') expect(got.headers.get('content-type')).toBe(type);
    },
  );

  it('stores a PUT with an odd Content-Type signed with SigV2', async () => {
    const url = new URL('/types/v2-binary', server.url);
    const headers = { 'content-type': 'binary', 'content-length': '3' };
    const signed = signV2(
      { method: 'PUT', rawUrl: url.pathname, headers },
      { accessKeyId: server.keyId, secretAccessKey: server.secret },
      Date.now(),
    );
    const res = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, ...signed },
      body: 'abc',
    });
    expect(res.status, await res.text()).toBe(200);
  });
});
