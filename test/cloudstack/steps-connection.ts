/**
 * The connection under CloudStack's failures (S9): an aws-chunked part whose chunk
 * signature is wrong is answered 403 SignatureDoesNotMatch as XML while SDK v1 is still
 * sending it, and the connection then serves the next request (and, idle, lasts the 65 s it
 * advertises); a GET the SSVM aborts mid-body (the QCOW2 probe does) leaves the pooled
 * connections and the next ones working. Raw sockets, so that nothing but the server can
 * close a connection or hide a reset.
 */
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { openSocket, type WatchedSocket } from '../helpers/raw-http.js';
import type { CsWire } from './cs-wire.js';
import type { CsWorld } from './cs-world.js';
import { ChunkSigner } from './sdk-v1-signers.js';
import type { IdleSocket } from './steps-transport.js';

const MIB = 1024 * 1024;
/** Larger than the socket buffers, so the answer comes while the client is still sending. */
const REFUSED_PART_BYTES = 24 * MIB;

const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];

function zeros(bytes: number): Readable {
  const piece = Buffer.alloc(64 * 1024, 7);
  return Readable.from(
    (function* () {
      for (let left = bytes; left > 0; left -= piece.length) {
        yield left >= piece.length ? piece : piece.subarray(0, left);
      }
    })(),
  );
}

/** Writes `head` on `client` and resolves once the server has answered it (a new head). */
async function exchange(client: WatchedSocket, head: string, pattern: RegExp): Promise<string> {
  const before = client.received().length;
  client.socket.write(head);
  const sliceMatches = new RegExp(`^[^]{${before}}${pattern.source}`);
  return (await client.waitFor(sliceMatches, 30_000)).slice(before);
}

/** The request line and headers of `call` as CsWire would send them. */
function rawHead(wire: CsWire, method: string, key: string, extra: Record<string, string> = {}) {
  const { path, headers } = wire.prepare({ method, key });
  const lines = Object.entries({ ...headers, ...extra }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/**
 * A SigV4 aws-chunked PUT of `bytes` with chunk 1's signature corrupted, sent as SDK v1
 * sends it: Expect, the body after the 100, all of it. Resolves with the answer's text once
 * the answer has come and every byte of the body was written.
 */
export async function refusedChunkedPut(client: WatchedSocket, wire: CsWire, key: string) {
  const body = { stream: zeros(REFUSED_PART_BYTES), length: REFUSED_PART_BYTES };
  const { path, headers, seed } = wire.prepare({ method: 'PUT', key, body });
  expect(seed).toBeDefined();
  const lines = Object.entries({ ...headers, Expect: '100-continue' }).map(
    ([k, v]) => `${k}: ${v}\r\n`,
  );
  const before = client.received().length;
  client.socket.write(`PUT ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
  await client.waitFor(new RegExp(`^[^]{${before}}HTTP/1\\.1 100 Continue\\r\\n\\r\\n`), 10_000);
  const framed = body.stream.pipe(new ChunkSigner(seed!, undefined, 1));
  framed.pipe(client.socket, { end: false });
  // Every byte written, unless the server cuts the connection (then waitFor says so).
  await Promise.race([new Promise((resolve) => framed.once('end', resolve)), client.closed]);
  const text = await client.waitFor(/<\/Error>/, 30_000);
  return text.slice(before);
}

/** S9.2: a corrupted chunk in a 24 MiB part is answered as XML; the connection goes on. */
export async function s9RefusedChunkKeepsConnection(world: CsWorld, wire: CsWire) {
  const client = await openSocket(world.target.port);
  try {
    const key = 'robustness/refused-large-chunked';
    const answer = await refusedChunkedPut(client, wire, key);
    expect(statusLines(answer)).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 403 Forbidden']);
    expect(answer).toContain('content-type: application/xml');
    expect(answer).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(answer).not.toMatch(/connection: close/i);
    const head = await exchange(client, rawHead(wire, 'HEAD', key), /HTTP\/1\.1 \d{3}[^]*\r\n\r\n/);
    expect(statusLines(head)).toEqual(['HTTP/1.1 404 Not Found']);
    expect(client.isClosed()).toBe(false);
  } finally {
    client.socket.destroy();
  }
}

/** A socket whose first exchange was a refused aws-chunked part, left idle (S0.2). */
export async function openRefusedChunkSocket(world: CsWorld, wire: CsWire): Promise<IdleSocket> {
  const client = await openSocket(world.target.port);
  const answer = await refusedChunkedPut(client, wire, 'robustness/refused-then-idle');
  expect(answer).toContain('<Code>SignatureDoesNotMatch</Code>');
  expect(answer).toMatch(/keep-alive: timeout=65/i);
  return {
    socket: client.socket,
    closedByServer: () => client.isClosed(),
    head: () =>
      exchange(client, rawHead(wire, 'HEAD', 'nonexistent'), /HTTP\/1\.1 \d{3}[^]*\r\n\r\n/),
  };
}

/**
 * S2.4 continued: the SSVM aborts a GET after its first bytes. A pooled connection opened
 * before (idle, keep-alive), the aborting one's successor and a fresh one all still work.
 */
export async function s9AbortedGet(world: CsWorld, wire: CsWire, key: string) {
  const pooled = await openSocket(world.target.port);
  const aborting = await openSocket(world.target.port);
  try {
    const first = rawHead(wire, 'HEAD', key);
    expect(statusLines(await exchange(pooled, first, /HTTP\/1\.1 \d{3}[^]*\r\n\r\n/))).toEqual([
      'HTTP/1.1 200 OK',
    ]);
    aborting.socket.write(rawHead(wire, 'GET', key));
    // Headers and more than a MiB of the body, then the client goes away mid-body.
    await aborting.waitFor(/^HTTP\/1\.1 200 [^]*\r\n\r\n[^]{1048576}/, 30_000);
    aborting.socket.destroy();
    const again = await exchange(
      pooled,
      rawHead(wire, 'HEAD', key),
      /HTTP\/1\.1 \d{3}[^]*\r\n\r\n/,
    );
    expect(statusLines(again)).toEqual(['HTTP/1.1 200 OK']);
    const fresh = await openSocket(world.target.port);
    const ranged = rawHead(wire, 'GET', key, { Range: 'bytes=0-31' });
    const got = await exchange(fresh, ranged, /HTTP\/1\.1 206 [^]*\r\n\r\n[^]{32}/);
    expect(got.slice(got.indexOf('\r\n\r\n') + 4, got.indexOf('\r\n\r\n') + 8)).toBe('QFI\xfb');
    fresh.socket.destroy();
  } finally {
    pooled.socket.destroy();
    aborting.socket.destroy();
  }
}
