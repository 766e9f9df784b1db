/**
 * A request refused part-way through its body (a capped XML body, here) must not leave its
 * keep-alive connection stuck: the answer says Connection: close, and the next request on
 * the same agent is answered at once.
 */
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
useCairn({ buckets: ['kept'] }, (started) => ({ server } = started));

function send(agent: Agent, path: string, method: string, body?: Buffer) {
  return new Promise<{ status: number; connection?: string }>((resolve, reject) => {
    const req = request(new URL(path, server.url), { agent, method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('keep-alive after a refused body', () => {
  it('closes the connection of a body refused part-way; the next request is served', async () => {
    const big = Buffer.alloc(512 * 1024, 'a');
    const refused = await signedFetch(server.url, '/kept?tagging', {
      method: 'PUT',
      body: big,
      credentials: server,
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('connection')).toBe('close');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(agent, '/kept?tagging', 'PUT', big);
      expect(first.status).toBe(403);
      const second = await send(agent, '/kept', 'GET');
      expect(second.status).toBe(403);
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
