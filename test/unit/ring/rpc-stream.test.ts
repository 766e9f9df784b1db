/**
 * The RPC stream transport end to end on loopback (ring/transport/rpc-stream-*.ts): an
 * internal listener serving a small handler, reached through StreamTransport. Pipelined
 * calls, a peer restart mid-traffic (the next calls reconnect), refused connections not
 * delivered, timeouts, the in-flight bound, an unsigned or replayed upgrade refused, a frame
 * not under the session key closing the stream, and the HTTP fallback for an older peer.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../ring/transport/codec.js';
import { InternalClient } from '../../../ring/transport/internal-client.js';
import { buildInternalApp } from '../../../ring/transport/internal-server.js';
import type { NodeReply, NodeRequest } from '../../../ring/transport/messages.js';
import { attachRpcStream } from '../../../ring/transport/rpc-stream-server.js';
import { rpcStreamPath } from '../../../ring/transport/rpc-session.js';
import { StreamTransport } from '../../../ring/transport/rpc-stream-transport.js';
import { NodeUnreachableError } from '../../../ring/transport/transport.js';

const COOKIE = 'rpc-stream-test-cookie-0123456789';
const ITEM = { partition: 1, keyspace: 'blocks', pk: Buffer.from('pk'), sk: Buffer.from('sk') };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Echoes a put's value back; a 'get' waits `delayMs` first; 'ping' with pk 'throw' throws. */
async function handler(request: NodeRequest, delayMs: number): Promise<NodeReply> {
  if (request.op === 'put') return { ok: true, value: request.value };
  if (request.op === 'get') await new Promise((r) => setTimeout(r, delayMs));
  if (request.op === 'delete') throw new Error('handler failed');
  return { ok: true };
}

async function startNode(port = 0, options: { stream?: boolean; delayMs?: number } = {}) {
  const app = buildInternalApp(
    { cookie: COOKIE },
    { openPaths: [], bodyBytesMax: 8 << 20, logLevel: 'silent' },
  );
  const handle = (r: NodeRequest) => handler(r, options.delayMs ?? 0);
  app.post('/rpc', async (request, reply) => {
    const answer = await handle(decodeMessage<NodeRequest>(request.body as Buffer));
    return reply.header('content-type', 'application/octet-stream').send(encodeMessage(answer));
  });
  const refused: string[] = [];
  if (options.stream !== false) {
    const close = attachRpcStream(app.server, {
      cookie: COOKIE,
      handle,
      frameBytesMax: 8 << 20,
      inflightBytesMax: 1 << 20,
      onRefused: (reason) => refused.push(reason),
    });
    app.addHook('preClose', (done) => (close(), done()));
  }
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address() as { port: number };
  cleanups.push(() => app.close());
  return { app, port: address.port, refused };
}

function transportTo(port: () => number, inflightBytesMax = 32 << 20) {
  const client = new InternalClient({ cookie: COOKIE });
  const limits = { frameBytesMax: 8 << 20, inflightBytesMax };
  const transport = new StreamTransport(() => `127.0.0.1:${port()}`, client, limits);
  cleanups.push(() => transport.close());
  return transport;
}

const put = (value: Buffer): NodeRequest => ({ op: 'put', item: ITEM, value });

async function unreachable(promise: Promise<unknown>): Promise<NodeUnreachableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeUnreachableError);
  return error as NodeUnreachableError;
}

describe('rpc stream transport', () => {
  it('pipelines 200 concurrent calls on one connection, values intact', async () => {
    const node = await startNode();
    const transport = transportTo(() => node.port);
    const values = Array.from({ length: 200 }, (_, i) => randomBytes(i * 97));
    const replies = await Promise.all(
      values.map((v) => transport.call('n1', put(v), { timeoutMs: 5000 })),
    );
    replies.forEach((reply, i) => {
      expect((reply as { value: Buffer }).value.equals(values[i]!)).toBe(true);
    });
    const big = randomBytes(3 << 20);
    const reply = await transport.call('n1', put(big), { timeoutMs: 5000 });
    expect((reply as { value: Buffer }).value.equals(big)).toBe(true);
    const connections = await new Promise<number>((r) =>
      node.app.server.getConnections((_e, n) => r(n)),
    );
    expect(connections).toBe(1);
  });

  it('reconnects after the peer restarts mid-traffic (peer restart)', async () => {
    let node = await startNode(0, { delayMs: 300 });
    const port = node.port;
    const transport = transportTo(() => port);
    const before = await transport.call('n1', { op: 'ping' }, { timeoutMs: 5000 });
    expect(before.ok).toBe(true);
    const inFlight = Array.from({ length: 20 }, () =>
      unreachable(transport.call('n1', { op: 'get', item: ITEM }, { timeoutMs: 5000 })),
    );
    await new Promise((r) => setTimeout(r, 50));
    await node.app.close();
    // Written before the peer went: maybe delivered, never a hang.
    for (const broken of await Promise.all(inFlight)) expect(broken.maybeDelivered).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const down = await unreachable(transport.call('n1', { op: 'ping' }, { timeoutMs: 2000 }));
    expect(down.maybeDelivered).toBe(false); // Refused before anything was sent.
    node = await startNode(port);
    const after = await transport.call('n1', put(Buffer.from('again')), { timeoutMs: 5000 });
    expect((after as { value: Buffer }).value.toString()).toBe('again');
  });

  it('times out a slow call as maybe delivered, and the connection stays usable', async () => {
    const node = await startNode(0, { delayMs: 300 });
    const transport = transportTo(() => node.port);
    // Connected first: a timeout during the handshake would rightly be "not delivered".
    expect((await transport.call('n1', { op: 'ping' }, { timeoutMs: 5000 })).ok).toBe(true);
    const slow = await unreachable(
      transport.call('n1', { op: 'get', item: ITEM }, { timeoutMs: 50 }),
    );
    expect(slow.maybeDelivered).toBe(true);
    expect(slow.message).toMatch(/timeout/);
    expect((await transport.call('n1', { op: 'ping' }, { timeoutMs: 2000 })).ok).toBe(true);
  });

  it('answers a handler that throws as a failure, maybe delivered', async () => {
    const node = await startNode();
    const transport = transportTo(() => node.port);
    const failed = await unreachable(
      transport.call('n1', { op: 'delete', item: ITEM }, { timeoutMs: 2000 }),
    );
    expect(failed.message).toMatch(/handler failed/);
    expect(failed.maybeDelivered).toBe(true);
  });

  it('bounds the bytes in flight: calls past the bound wait for room, then complete', async () => {
    const node = await startNode(0);
    const transport = transportTo(() => node.port, 256 * 1024);
    const values = Array.from({ length: 12 }, () => randomBytes(100 * 1024));
    const replies = await Promise.all(
      values.map((v) => transport.call('n1', put(v), { timeoutMs: 10_000 })),
    );
    expect(replies.every((r) => r.ok)).toBe(true);
  });

  it('refuses an unsigned, a wrongly keyed and a replayed upgrade with 401', async () => {
    const node = await startNode();
    const address = `127.0.0.1:${node.port}`;
    const path = rpcStreamPath(randomBytes(16).toString('hex'));
    const stranger = new InternalClient({ cookie: 'another-cluster-cookie-0123456789' });
    const wrong = await stranger.upgrade(address, path, 'cairn-rpc/1', 2000).catch((e) => e);
    expect((wrong as { status?: number }).status).toBe(401);
    const raw = (headers: string) => rawUpgrade(node.port, path, headers);
    expect(await raw('')).toMatch(/^HTTP\/1.1 401/);
    const signed = new InternalClient({ cookie: COOKIE }).sign('GET', path, '');
    expect(await raw(`x-cairn-auth: ${signed}\r\n`)).toMatch(/^HTTP\/1.1 101/);
    expect(await raw(`x-cairn-auth: ${signed}\r\n`)).toMatch(/^HTTP\/1.1 401/);
    expect(node.refused.some((r) => /already used/.test(r))).toBe(true);
  });

  it('closes a stream on a frame not sealed with its session key', async () => {
    const node = await startNode();
    const path = rpcStreamPath(randomBytes(16).toString('hex'));
    const signed = new InternalClient({ cookie: COOKIE }).sign('GET', path, '');
    const socket = await openRaw(node.port);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write(upgradeText(path, `x-cairn-auth: ${signed}\r\n`));
    const forged = Buffer.concat([Buffer.alloc(4), Buffer.alloc(60)]);
    forged.writeUInt32BE(60, 0);
    socket.write(forged);
    socket.resume(); // Reads the 101, so the close that follows is seen.
    await closed;
    expect(node.refused.some((r) => /MAC/.test(r))).toBe(true);
  });

  it('falls back to HTTP for a peer without the stream (404 to the upgrade)', async () => {
    const node = await startNode(0, { stream: false });
    const transport = transportTo(() => node.port);
    const reply = await transport.call('n1', put(Buffer.from('old')), { timeoutMs: 5000 });
    expect((reply as { value: Buffer }).value.toString()).toBe('old');
  });
});

function upgradeText(path: string, headers: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n` +
    `Upgrade: cairn-rpc/1\r\n${headers}\r\n`
  );
}

function openRaw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    cleanups.push(() => void socket.destroy());
  });
}

async function rawUpgrade(port: number, path: string, headers: string): Promise<string> {
  const socket = await openRaw(port);
  socket.write(upgradeText(path, headers));
  const first = await new Promise<Buffer>((r) => socket.once('data', r));
  socket.destroy();
  return first.toString('latin1');
}
