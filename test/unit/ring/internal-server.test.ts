/**
 * The internal listener's guard (ring/transport/internal-server.ts), through fastify's
 * inject: signed requests reach their route with the body parsed; an unsigned, altered or
 * replayed one is refused with 401 and the reason before the route runs; open paths answer
 * unsigned; a signed body that is not JSON is a 400, not a crash.
 */
import { describe, expect, it } from 'vitest';
import { InternalClient } from '../../../ring/transport/internal-client.js';
import { buildInternalApp } from '../../../ring/transport/internal-server.js';

const COOKIE = 'internal-server-test-cookie-0123';

function app() {
  const seen: unknown[] = [];
  const built = buildInternalApp(
    { cookie: COOKIE },
    { openPaths: ['/ping'], bodyBytesMax: 1024, logLevel: 'silent' },
  );
  built.get('/ping', async () => ({ pong: true }));
  built.get('/state', async () => ({ seen }));
  built.post('/command', async (request) => {
    seen.push(request.body);
    return { ok: true };
  });
  built.post('/rpc', async (request) => ({ bytes: (request.body as Buffer).length }));
  return { built, seen };
}

const client = new InternalClient({ cookie: COOKIE });

function post(path: string, body: string, type = 'application/json', signedBody = body) {
  return {
    method: 'POST' as const,
    url: path,
    payload: body,
    headers: {
      'content-type': type,
      'x-cairn-auth': client.sign('POST', path, type, Buffer.from(signedBody)),
    },
  };
}

describe('internal listener', () => {
  it('serves a signed JSON command, parsed, once', async () => {
    const { built, seen } = app();
    const request = post('/command', '{"type":"create-bucket"}');
    const first = await built.inject(request);
    expect(first.statusCode).toBe(200);
    expect(seen).toEqual([{ type: 'create-bucket' }]);
    const replay = await built.inject(request);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error).toMatch(/already used/);
    expect(seen).toHaveLength(1);
    await built.close();
  });

  it('serves a signed binary body and a signed GET', async () => {
    const { built } = app();
    const rpc = post('/rpc', 'abcdef', 'application/octet-stream');
    expect((await built.inject(rpc)).json()).toEqual({ bytes: 6 });
    const get = await built.inject({
      method: 'GET',
      url: '/state',
      headers: { 'x-cairn-auth': client.sign('GET', '/state', '') },
    });
    expect(get.statusCode).toBe(200);
    await built.close();
  });

  it('refuses unsigned, altered and foreign requests before the route runs', async () => {
    const { built, seen } = app();
    const refused = [
      {
        method: 'POST' as const,
        url: '/command',
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      },
      post('/command', '{"type":"delete-bucket"}', 'application/json', '{"type":"create-bucket"}'),
      { ...post('/command', '{}'), url: '/command?x=1' },
      {
        ...post('/command', '{}'),
        headers: {
          ...post('/command', '{}').headers,
          'content-type': 'application/json; charset=utf-8',
        },
      },
      {
        method: 'GET' as const,
        url: '/state',
        headers: {
          'x-cairn-auth': new InternalClient({ cookie: `${COOKIE}x` }).sign('GET', '/state', ''),
        },
      },
    ];
    for (const request of refused) {
      const answer = await built.inject(request);
      expect(answer.statusCode, JSON.stringify(request)).toBe(401);
      expect(answer.json().error).toMatch(/^internal request refused: /);
    }
    expect(seen).toEqual([]);
    expect((await built.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
    await built.close();
  });

  it('answers 400 to a signed body that is not JSON, and 413 past the size limit', async () => {
    const { built } = app();
    expect((await built.inject(post('/command', '{not json'))).statusCode).toBe(400);
    expect((await built.inject(post('/command', `"${'x'.repeat(2000)}"`))).statusCode).toBe(413);
    await built.close();
  });

  it('refuses to be built with a short cookie', () => {
    expect(() =>
      buildInternalApp({ cookie: 'short' }, { openPaths: [], bodyBytesMax: 1, logLevel: 'silent' }),
    ).toThrow(/at least 16 characters/);
  });
});
