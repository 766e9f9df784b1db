/**
 * A request refused part-way through its body (a capped XML body, here) must not leave its
 * keep-alive connection stuck: the next request on the same connection is answered at once,
 * and a request refused before its body was read does not cut the client off mid-send.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { signV4 } from '../../src/auth/sigv4-client.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';

let server: CairnProcess;
useCairn({ buckets: ['kept'] }, (started) => ({ server } = started));

function send(agent: Agent, path: string, method: string, body: Buffer, signed: boolean) {
  const url = new URL(path, server.url);
  const headers: Record<string, string> = { host: url.host };
  if (signed) {
    const payloadSha256Hex = createHash('sha256').update(body).digest('hex');
    const keys = { accessKeyId: server.keyId, secretAccessKey: server.secret };
    Object.assign(
      headers,
      signV4({ method, url, headers, payloadSha256Hex }, keys, 'us-east-1', Date.now()),
    );
  }
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { agent, method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('keep-alive after a refused body', () => {
  it('serves the next request after a body refused part-way (over its cap)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = Buffer.alloc(512 * 1024, 'a');
    try {
      expect(await send(agent, '/kept?tagging', 'PUT', big, true)).toBe(400);
      expect(await send(agent, '/kept', 'GET', Buffer.alloc(0), true)).toBe(200);
      expect(await send(agent, '/kept?tagging', 'PUT', big, false)).toBe(403);
      expect(await send(agent, '/kept', 'GET', Buffer.alloc(0), true)).toBe(200);
    } finally {
      agent.destroy();
    }
  }, 60_000);
});
