/**
 * Steps S0 (transport sanity: anonymous refusal, keep-alive idle reuse, clock skew), S1
 * (the 4.1-era store validation), S9 (protocol robustness) and S10 (teardown) of the
 * CloudStack emulation. Keep-alive is checked on a raw socket so that nothing but the
 * server can close it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import { deleteObject, headObject, parseXml, putObject } from './cs-ops.js';
import type { CsWire } from './cs-wire.js';
import type { CsWorld } from './cs-world.js';
import { openRefusedChunkSocket } from './steps-connection.js';

const MIB = 1024 * 1024;

/** A socket kept open between two requests, and whether the server closed it meanwhile. */
export interface IdleSocket {
  socket: Socket;
  closedByServer(): boolean;
  /** Sends a signed HEAD of a missing key; resolves with the raw response head. */
  head(): Promise<string>;
}

/** Opens a socket and sends the first signed HEAD /bucket/nonexistent on it. */
export async function openIdleSocket(world: CsWorld, wire: CsWire): Promise<IdleSocket> {
  const socket = connect(world.target.port, '127.0.0.1');
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  let pending: ((text: string) => void) | undefined;
  socket.on('data', (data: Buffer) => pending?.(data.toString('latin1')));
  const head = () =>
    new Promise<string>((resolve, reject) => {
      if (closed) return reject(new Error('the server closed the idle connection'));
      const { path, headers } = wire.prepare({ method: 'HEAD', key: 'nonexistent' });
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      pending = resolve;
      socket.write(`HEAD ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
    });
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closedByServer: () => closed, head };
}

/** S0.1: anonymous GET / is 403 AccessDenied XML with a Date. */
export async function s0Anonymous(world: CsWorld): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${world.target.port}/`);
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/xml');
  expect(response.headers.get('date')).toBeTruthy();
  expect(await response.text()).toContain('<Code>AccessDenied</Code>');
}

/**
 * S0.2 (first half): a 404 HEAD, then the socket idles; asserts the advertised timeout. A
 * third socket's first exchange is a refused aws-chunked part (S9.2): it must idle as long.
 */
export async function s0KeepAliveStart(world: CsWorld, wire: CsWire, wireV4: CsWire) {
  const reuses: Array<Promise<IdleReuse>> = [];
  // SDK v1 revalidates after 5 s idle and keeps sockets 60 s: reuse after 10.5 s and 61.5 s.
  for (const idleMs of [10_500, 61_500]) {
    const idle = await openIdleSocket(world, wire);
    const first = await idle.head();
    const openedMs = Date.now();
    expect(first).toMatch(/^HTTP\/1\.1 404/);
    const timeoutSec = Number(/keep-alive: timeout=(\d+)/i.exec(first)?.[1] ?? 0);
    expect(timeoutSec).toBeGreaterThanOrEqual(61);
    reuses.push(reuseLater(idle, openedMs, idleMs));
  }
  const refused = await openRefusedChunkSocket(world, wireV4);
  reuses.push(reuseLater(refused, Date.now(), 61_500));
  return { reuses };
}

/** S0.2 (second half): each idle socket answered its second request; the idle times. */
export async function s0KeepAliveFinish(started: { reuses: Array<Promise<IdleReuse>> }) {
  const idleMs: number[] = [];
  for (const reuse of await Promise.all(started.reuses)) {
    expect(reuse.closedByServer).toBe(false);
    expect(reuse.answer).toMatch(/^HTTP\/1\.1 404/);
    idleMs.push(reuse.idleMs);
  }
  return idleMs;
}

/** What the second request on the idle socket found. */
export interface IdleReuse {
  closedByServer: boolean;
  answer: string;
  idleMs: number;
}

/** `afterMs` after `openedMs`, whatever the other steps are doing, reuses the idle socket. */
function reuseLater(idle: IdleSocket, openedMs: number, afterMs: number): Promise<IdleReuse> {
  return new Promise((resolve) => {
    setTimeout(
      () => {
        const closedByServer = idle.closedByServer();
        const idleMs = Date.now() - openedMs;
        const done = (answer: string) => {
          idle.socket.destroy();
          resolve({ closedByServer, answer, idleMs });
        };
        if (closedByServer) return done('');
        idle.head().then(done, (error: Error) => done(error.message));
      },
      afterMs - (Date.now() - openedMs),
    );
  });
}

/** S0.3: a SigV2 Date 20 minutes old is RequestTimeTooSkewed, with the server's Date. */
export async function s0ClockSkew(wireV2: CsWire): Promise<void> {
  const skewed = await wireV2.call({ method: 'HEAD', key: 'x', nowMs: Date.now() - 20 * 60_000 });
  expect(skewed.status).toBe(403);
  const get = await wireV2.call({ method: 'GET', key: 'x', nowMs: Date.now() - 20 * 60_000 });
  expect(get.body.toString()).toContain('<Code>RequestTimeTooSkewed</Code>');
  expect(get.headers['date']).toBeTruthy();
}

/** S1.2: 4.1's canReadWriteBucket: ListBuckets, PUT a 22-byte <uuid>.txt, DELETE it. */
export async function s1LegacyValidation(wireV2: CsWire): Promise<void> {
  const buckets = await wireV2.call({ method: 'GET', service: true });
  expect(buckets.status).toBe(200);
  const names = parseXml(buckets.body)['ListAllMyBucketsResult'] as {
    Buckets: { Bucket: unknown };
  };
  expect(JSON.stringify(names.Buckets)).toContain(`"${wireV2.mode.bucket}"`);
  const key = `${randomUUID()}.txt`;
  const body = Buffer.from('testing put and delete');
  expect(body.length).toBe(22);
  const put = await putObject(wireV2, key, body);
  expect(put.etag).toBe(createHash('md5').update(body).digest('hex'));
  expect((await deleteObject(wireV2, key)).status).toBe(204);
}

/** S9.1: a wrong SigV4 signature with Expect is refused before the body: no 100. */
export async function s9EarlyRefusal(wireV4: CsWire): Promise<void> {
  const refused = await wireV4.call({
    method: 'PUT',
    key: 'robustness/early-refusal',
    body: Buffer.alloc(MIB, 1),
    afterSigning: (headers) => {
      headers['Authorization'] = headers['Authorization']!.replace(/.$/, (c) =>
        c === '0' ? '1' : '0',
      );
    },
  });
  expect(refused.continued).toBe(false);
  expect(refused.status).toBe(403);
  expect(refused.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
  expect((await headObject(wireV4, 'robustness/early-refusal')).status).toBe(404);
}

/** S9.2: a corrupted chunk signature and a short decoded length are refused. */
export async function s9ChunkErrors(wireV4: CsWire): Promise<void> {
  const body = Buffer.alloc(300 * 1024, 7);
  const corrupt = await wireV4.call({
    method: 'PUT',
    key: 'robustness/chunk',
    body,
    corruptChunk: 1,
  });
  expect(corrupt.status).toBe(403);
  expect(corrupt.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
  expect((await headObject(wireV4, 'robustness/chunk')).status).toBe(404);
  const short = await wireV4.call({
    method: 'PUT',
    key: 'robustness/short',
    body,
    decodedLength: body.length + 1,
  });
  expect(short.status).toBe(400);
  expect(short.body.toString()).toContain('<Code>IncompleteBody</Code>');
}

/** S9.3/S9.5: form-urlencoded bodies are opaque; SDK v1's full SignedHeaders verify. */
export async function s9FormBodies(wires: CsWire[]): Promise<void> {
  for (const wire of wires) {
    const key = `robustness/form-${wire.mode.name}`;
    const body = Buffer.from('a=1&b=%20two&c');
    let authorization = '';
    const put = await wire.call({
      method: 'PUT',
      key,
      body,
      afterSigning: (headers) => void (authorization = headers['Authorization']!),
    });
    expect(put.status).toBe(200);
    if (wire.mode.signer === 'v4') {
      expect(authorization).toContain(
        'SignedHeaders=amz-sdk-invocation-id;amz-sdk-retry;content-length;content-type;host;' +
          'user-agent;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length,',
      );
    }
    const got = await wire.call({ method: 'GET', key });
    expect(got.body.equals(body)).toBe(true);
    await deleteObject(wire, key);
  }
}
