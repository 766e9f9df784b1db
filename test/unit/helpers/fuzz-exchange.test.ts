/**
 * The fuzz test's judge of an answer: when an HTTP answer is complete (finalAnswer, by
 * HTTP/1.1 framing), and what exchange() reports for each way a server can behave on a
 * socket, scripted here with node:net: a complete answer is a status, whether the server
 * then closes or keeps the connection; a hang, a close or a reset before a complete answer
 * is 'no-answer'.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzCase } from '../../helpers/fuzz-cases.js';
import { exchange, finalAnswer } from '../../helpers/fuzz-exchange.js';

const ok = (head: string, body = '') => `HTTP/1.1 ${head}\r\n\r\n${body}`;

describe('finalAnswer', () => {
  const cases: [string, string, string, boolean, number | undefined][] = [
    ['nothing', '', 'GET', true, undefined],
    ['a status line only', 'HTTP/1.1 403 Forbidden\r\n', 'GET', true, undefined],
    ['not HTTP', 'hello\r\n\r\n', 'GET', true, undefined],
    ['an odd status', 'HTTP/1.1 999 What\r\n\r\n', 'GET', true, undefined],
    ['Content-Length met', ok('403 Forbidden\r\nContent-Length: 3', 'abc'), 'GET', false, 403],
    [
      'Content-Length short',
      ok('403 Forbidden\r\nContent-Length: 9', 'abc'),
      'GET',
      true,
      undefined,
    ],
    ['HEAD: no body', ok('404 Not Found\r\nContent-Length: 120'), 'HEAD', false, 404],
    ['204: no body', ok('204 No Content\r\nContent-Length: 5'), 'DELETE', false, 204],
    ['close-delimited, open', ok('400 Bad Request\r\nConnection: close'), 'GET', false, undefined],
    ['close-delimited, closed', ok('400 Bad Request\r\nConnection: close'), 'GET', true, 400],
    [
      'chunked, whole',
      ok('200 OK\r\nTransfer-Encoding: chunked', '3\r\nabc\r\n0\r\n\r\n'),
      'GET',
      false,
      200,
    ],
    [
      'chunked, trailer',
      ok('200 OK\r\ntransfer-encoding: chunked', '0\r\nx-a: 1\r\n\r\n'),
      'GET',
      false,
      200,
    ],
    [
      'chunked, cut',
      ok('200 OK\r\nTransfer-Encoding: chunked', '3\r\nabc\r\n'),
      'GET',
      true,
      undefined,
    ],
    [
      'chunked, bad size',
      ok('200 OK\r\nTransfer-Encoding: chunked', 'zz\r\n'),
      'GET',
      true,
      undefined,
    ],
    [
      '100 then 403',
      `${ok('100 Continue')}${ok('403 Forbidden\r\nContent-Length: 0')}`,
      'PUT',
      false,
      403,
    ],
    ['100 only', ok('100 Continue'), 'PUT', true, undefined],
  ];
  it.each(cases)('%s', (_name, received, method, closed, status) => {
    const answer = finalAnswer(received, method, closed);
    expect(answer?.status).toBe(status);
  });
});

/** How the scripted server treats the request on one connection. */
type Script = (socket: Socket) => void;

describe('exchange', () => {
  let server: Server;
  let script: Script = () => {};
  let port = 0;
  const open = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
      socket.once('data', () => script(socket));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await new Promise((done) => server.close(done));
  });

  const request: FuzzCase = {
    kind: 'test',
    bytes: Buffer.from('GET /b/k HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
    mustReject: true,
  };
  const run = async (next: Script) => {
    script = next;
    return exchange(port, request, 500);
  };

  it('a complete answer, then a close: its status', async () => {
    const outcome = await run((s) => s.end(ok('403 Forbidden\r\nContent-Length: 2', 'no')));
    expect(outcome.status).toBe(403);
  });

  it('a complete answer on a connection kept open: its status, without waiting', async () => {
    const startedMs = Date.now();
    const outcome = await run((s) => s.write(ok('404 Not Found\r\nContent-Length: 0')));
    expect(outcome.status).toBe(404);
    expect(Date.now() - startedMs).toBeLessThan(400);
  });

  it('a hang: no-answer once the timeout passes', async () => {
    const outcome = await run(() => {});
    expect(outcome).toMatchObject({ status: 'no-answer', why: expect.stringContaining('500 ms') });
  });

  it('a close with nothing sent: no-answer', async () => {
    const outcome = await run((s) => s.end());
    expect(outcome).toMatchObject({ status: 'no-answer', why: 'closed after no answer' });
  });

  it('a reset: no-answer', async () => {
    const outcome = await run((s) => s.resetAndDestroy());
    expect(outcome.status).toBe('no-answer');
  });

  it('an answer cut off mid-body: no-answer', async () => {
    const outcome = await run((s) => s.end(ok('200 OK\r\nContent-Length: 10', 'abc')));
    expect(outcome).toMatchObject({ status: 'no-answer', why: expect.stringMatching(/bytes of/) });
  });
});
