/**
 * The console's HTTP side on a real `cairn start`, without a browser: the page and its
 * assets with their cache headers, sign-in refusals that change nothing, calls without a
 * session or without the CSRF token refused, and a bucket named "console" still reachable by
 * signed S3 requests; `--no-console` leaves /console/ to S3 altogether.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';

async function signIn(url: string, accessKeyId: string, secretAccessKey: string) {
  const response = await fetch(`${url}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId, secretAccessKey }),
  });
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { response, cookie, body: (await response.json()) as Record<string, unknown> };
}

describe('console API', () => {
  let server: CairnProcess;
  beforeAll(async () => {
    server = await startCairn();
  });
  afterAll(async () => server?.cleanup());

  it('serves the page revalidated and hashed assets immutable, with no framing', async () => {
    const page = await fetch(`${server.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${server.url}${asset}`);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const probe of ['assets/../../package.json', '..%2f..%2fpackage.json', 'nope.js']) {
      expect((await fetch(`${server.url}/console/${probe}`)).status).toBe(404);
    }
  });

  it('refuses wrong keys and bodies that are not sign-ins, setting no cookie', async () => {
    for (const [keyId, secret] of [
      [server.keyId, 'wrong'],
      ['NOSUCHKEY', server.secret],
    ] as const) {
      const { response, body } = await signIn(server.url, keyId, secret);
      expect(response.status).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(body.message).toMatch(/Wrong access key or secret/);
    }
    const garbage = await fetch(`${server.url}/console/api/session`, {
      method: 'POST',
      body: '{"accessKeyId": [1]}',
    });
    expect(garbage.status).toBe(400);
  });

  it('refuses calls without a session, and changes without the CSRF token', async () => {
    const none = await fetch(`${server.url}/console/api/buckets`);
    expect(none.status).toBe(401);
    const { cookie, body } = await signIn(server.url, server.keyId, server.secret);
    expect(String(body.csrfToken)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const put = (csrf?: string) =>
      fetch(`${server.url}/console/api/s3`, {
        method: 'POST',
        headers: { cookie, ...(csrf ? { 'x-cairn-csrf': csrf } : {}) },
        body: JSON.stringify({ method: 'PUT', bucket: 'made-by-console' }),
      });
    expect((await put()).status).toBe(403);
    expect((await put('x'.repeat(43))).status).toBe(403);
    const listed = await fetch(`${server.url}/console/api/buckets`, { headers: { cookie } });
    expect(await listed.json()).toEqual([]);
    expect((await put(String(body.csrfToken))).status).toBe(200);
  });

  it('leaves a bucket named console to signed S3 requests', async () => {
    const s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: 'console' }));
    await s3.send(new PutObjectCommand({ Bucket: 'console', Key: 'index.html', Body: 'mine' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'console', Key: 'index.html' }));
    expect(await got.Body!.transformToString()).toBe('mine');
    s3.destroy();
  });
});

describe('--no-console', () => {
  let server: CairnProcess;
  beforeAll(async () => {
    server = await startCairn({ args: ['--no-console'] });
  });
  afterAll(async () => server?.cleanup());

  it('leaves /console/ to S3', async () => {
    const response = await fetch(`${server.url}/console/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<Code>NoSuchBucket</Code>');
  });
});
