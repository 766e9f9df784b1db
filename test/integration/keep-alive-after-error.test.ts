/**
 * A request refused part-way through its body (a capped XML body, here) must not leave its
 * keep-alive connection stuck: the next request on the same connection is answered at once,
 * and a request refused before its body was read does not cut the client off mid-send.
 * `Expect: 100-continue` invites the body only once it is wanted: a refusal before that is
 * the final answer, without the 100, and closes. Bytes past a request's Content-Length
 * cannot hide the answer the request is owed.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { signV4 } from '../../src/auth/sigv4-client.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { openSocket, settlesWithin, signedHead } from '../helpers/raw-http.js';

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

describe('keep-alive after a refused form upload', () => {
  it('a POST form refused before its file is drained; the next request is answered', async () => {
    const client = await openSocket(server.port);
    const boundary = 'b0undary';
    const part = (disposition: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n${value}\r\n`;
    // Fields past the 64 KiB S3 allows before the file, then 4 MiB of file the form reader
    // never gets to.
    const body =
      part('name="x-amz-meta-a"', 'a'.repeat(200 * 1024)) +
      part('name="file"; filename="f"', 'b'.repeat(4 * 1024 * 1024)) +
      `--${boundary}--\r\n`;
    client.socket.write(
      `POST /kept HTTP/1.1\r\nHost: x\r\ncontent-length: ${body.length}\r\n` +
        `content-type: multipart/form-data; boundary=${boundary}\r\n\r\n${body}`,
    );
    await client.waitFor(/^HTTP\/1\.1 400 [^]*<\/Error>/, 10_000);
    expect(client.received()).toContain('<Code>MaxPostPreDataLengthExceededError</Code>');
    client.socket.write(signedHead(server, 'HEAD', '/kept'));
    await client.waitFor(/<\/Error>HTTP\/1\.1 200 [^]*\r\n\r\n$/, 10_000);
    client.socket.destroy();
  });
});

/** The status lines a raw exchange received, in order (interim 100s included). */
const statusLines = (received: string) => received.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];

describe('Expect: 100-continue', () => {
  const ANNOUNCED = { 'content-length': '123', expect: '100-continue' };

  it('a request refused before its body is answered without a 100, then closed', async () => {
    const cases: Array<[string, string, number]> = [
      // The suite's test_100_continue: anonymous PUT to a private bucket.
      ['anonymous', `PUT /kept/refused HTTP/1.1\r\nHost: x\r\n`, 403],
      ['signed, no such bucket', signedHead(server, 'PUT', '/no-such-bucket/k', ANNOUNCED), 404],
      [
        'bad signature',
        signedHead(server, 'PUT', '/kept/bad-sig', ANNOUNCED).replace(
          /Signature=([0-9a-f])/,
          (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`,
        ),
        403,
      ],
    ];
    for (const [name, head, status] of cases) {
      const client = await openSocket(server.port);
      const request = head.endsWith('\r\n\r\n')
        ? head
        : `${head}content-length: 123\r\nexpect: 100-continue\r\n\r\n`;
      client.socket.write(request);
      await client.waitFor(/^HTTP\/1\.1 \d{3}[^]*\r\n\r\n/, 10_000);
      expect(statusLines(client.received())[0], name).toMatch(new RegExp(`^HTTP/1.1 ${status}`));
      expect(client.received(), name).toMatch(/\r\nconnection: close\r\n/i);
      expect(await settlesWithin(client.closed, 10_000), name).toBe(true);
      expect(client.received(), name).not.toContain('100 Continue');
    }
    const listed = await send(new Agent(), '/kept', 'GET', Buffer.alloc(0), true);
    expect(listed).toBe(200);
  });

  it('an accepted request gets its 100 before the body, and keeps its connection', async () => {
    const client = await openSocket(server.port);
    const body = Buffer.alloc(123, 'b');
    client.socket.write(signedHead(server, 'PUT', '/kept/continued', ANNOUNCED));
    await client.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n$/, 10_000);
    client.socket.write(body);
    await client.waitFor(/HTTP\/1\.1 200 [^]*\r\n\r\n$/, 10_000);
    expect(client.received()).not.toMatch(/connection: close/i);
    expect(client.received()).toMatch(/keep-alive: timeout=65/i);
    const before = client.received().length;
    client.socket.write(signedHead(server, 'HEAD', '/kept/continued'));
    await client.waitFor(/HTTP\/1\.1 200 [^]*HTTP\/1\.1 200 [^]*\r\n\r\n$/, 10_000);
    expect(client.received().slice(before)).toContain('content-length: 123');
    client.socket.destroy();
  });

  it('a request without a body is answered as usual (100, then the answer)', async () => {
    const client = await openSocket(server.port);
    client.socket.write(signedHead(server, 'DELETE', '/kept/nothing', { expect: '100-continue' }));
    await client.waitFor(/HTTP\/1\.1 204 [^]*\r\n\r\n$/, 10_000);
    expect(client.received()).not.toMatch(/connection: close/i);
    client.socket.destroy();
  });

  it('any other expectation is ignored, as S3 ignores it (no 417)', async () => {
    for (const value of ['200', '', 'something-else']) {
      const client = await openSocket(server.port);
      const head = signedHead(server, 'PUT', `/kept/expect-${value || 'empty'}`, {
        'content-length': '3',
        expect: value,
      });
      client.socket.write(`${head}abc`);
      await client.waitFor(/^HTTP\/1\.1 \d{3}[^]*\r\n\r\n/, 10_000);
      expect(statusLines(client.received()), value).toEqual(['HTTP/1.1 200 OK']);
      client.socket.destroy();
    }
  });
});

describe('bytes past Content-Length', () => {
  it('the request still gets its answer (BadDigest: a short body), then the close', async () => {
    const client = await openSocket(server.port);
    const md5 = createHash('md5').update('bar').digest('base64');
    const head = signedHead(server, 'PUT', '/kept/short', {
      'content-length': '2',
      'content-md5': md5,
    });
    client.socket.write(`${head}bar`);
    await client.waitFor(/^HTTP\/1\.1 400 [^]*<\/Error>/, 10_000);
    expect(client.received()).toContain('<Code>BadDigest</Code>');
    expect(await settlesWithin(client.closed, 10_000)).toBe(true);
    const agent = new Agent();
    expect(await send(agent, '/kept/short', 'GET', Buffer.alloc(0), true)).toBe(404);
  });
});
