/**
 * Failed console sign-ins are limited on a real `cairn start`: five wrong secrets from one
 * address and the sixth attempt from it — even with the right secret — is refused with 429,
 * a clear message and Retry-After, setting no cookie; meanwhile the key's owner signs in
 * from another address (127.0.0.2 is another client to the server: all of 127/8 is
 * loopback). Timing of the window itself is in the unit tests (fake clock).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: string; message?: string };
}

/** POST /console/api/session from `localAddress`. */
function signInFrom(url: string, localAddress: string, keyId: string, secret: string) {
  const body = JSON.stringify({ accessKeyId: keyId, secretAccessKey: secret });
  return new Promise<Answer>((done, fail) => {
    const req = request(
      `${url}/console/api/session`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'],
          }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('sign-in timed out')));
    req.on('error', fail);
    req.end(body);
  });
}

describe('console sign-in limit', () => {
  let server: CairnProcess;
  beforeAll(async () => {
    server = await startCairn();
  });
  afterAll(async () => server?.cleanup());

  it('refuses an address after 5 failures, not the owner elsewhere', async () => {
    const attacker = '127.0.0.2';
    for (let i = 0; i < 5; i++) {
      const wrong = await signInFrom(server.url, attacker, server.keyId, `wrong-${i}`);
      expect(wrong.status).toBe(403);
      expect(wrong.body.message).toMatch(/Wrong access key or secret/);
    }
    const refused = await signInFrom(server.url, attacker, server.keyId, server.secret);
    expect(refused.status).toBe(429);
    expect(refused.headers['set-cookie']).toBeUndefined();
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.message).toBe(
      `Too many failed sign-ins from this address: try again in ${retryAfter} s.`,
    );
    const owner = await signInFrom(server.url, '127.0.0.1', server.keyId, server.secret);
    expect(owner.status).toBe(200);
    expect(String(owner.headers['set-cookie'])).toMatch(/^cairn_console=/);
  }, 60_000);
});
