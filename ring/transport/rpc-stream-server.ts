/**
 * The serving side of the RPC stream: a storage node's internal listener (HTTP or HTTPS with
 * mutual TLS — the upgrade rides whichever it serves, so no new port) turns a signed
 * `GET /rpc-stream` upgrade into a persistent framed connection (rpc-session.ts, frame.ts)
 * on which requests are handled concurrently and answered by id, in completion order.
 *
 * Limits, since the peer may be hostile: nothing is read past the handshake until it
 * verified; a frame over `frameBytesMax` closes the connection; past `inflightBytesMax`
 * bytes of requests being handled, the socket is not read until some are answered, and
 * while the peer does not read its replies, no more requests are read either.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  bodyDigest,
  INTERNAL_AUTH_HEADER,
  internalKey,
  ReplayGuard,
  verifyInternal,
  type InternalAuthRefusal,
} from '../core/internal-auth.js';
import { decodeMessage, encodeMessageParts } from './codec.js';
import { FrameKind, FrameReader, FrameSealer, type Frame } from './frame.js';
import type { NodeReply, NodeRequest } from './messages.js';
import {
  clientNonceOf,
  RPC_SESSION_HEADER,
  RPC_STREAM_PROTOCOL,
  sessionHeader,
  sessionKey,
} from './rpc-session.js';
import {
  checkPeerProtocol,
  formatProtocolVersion,
  localProtocolVersion,
  PROTOCOL_HEADER,
  PROTOCOL_REFUSED_STATUS,
  type ProtocolVersion,
} from './protocol-version.js';

/** How an RPC stream listener serves. */
export interface RpcStreamServerOptions {
  cookie: string;
  handle: (request: NodeRequest) => Promise<NodeReply>;
  /** Largest frame accepted, in bytes. */
  frameBytesMax: number;
  /** Bytes of requests handled at once per connection before reading pauses. */
  inflightBytesMax: number;
  /** Told of each refused upgrade or broken stream (never with a secret in it). */
  onRefused?: (reason: string) => void;
  replayEntriesMax?: number;
  clock?: () => number;
  /** The internal protocol version served (default: this process's). */
  protocol?: ProtocolVersion;
}

/**
 * Closes a listener's streams: called, it cuts them all at once; `drain()` instead lets each
 * answer what it is handling and ends it once it has been quiet a moment (a shutdown).
 */
export type StreamCloser = (() => void) & { drain(): Promise<void> };

/** How long a draining stream must have nothing in flight before it is ended, in ms. */
const DRAIN_QUIET_MS = 50;

/** One served stream: its requests being handled, and whether it is to end when idle. */
interface StreamState {
  inflight: number;
  closing: boolean;
  quiet?: NodeJS.Timeout;
}

/** Serves RPC streams on `server`'s upgrades; returns what closes or drains them all. */
export function attachRpcStream(server: Server, options: RpcStreamServerOptions): StreamCloser {
  const key = internalKey(options.cookie);
  const replay = new ReplayGuard(options.replayEntriesMax ?? 100_000);
  const clock = options.clock ?? Date.now;
  const open = new Map<Duplex, StreamState>();
  const local = options.protocol ?? localProtocolVersion();
  const version = formatProtocolVersion(local);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const peer = checkPeerProtocol(local, request.headers[PROTOCOL_HEADER], 'the caller');
    if (!peer.ok) return refuseProtocol(socket, version, peer.error, options);
    const refusal = checkUpgrade(request, key, clock(), replay);
    if (typeof refusal === 'string') {
      options.onRefused?.(refusal);
      socket.end(`HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n`);
      return;
    }
    const serverNonce = randomBytes(16).toString('hex');
    const session = sessionKey(key, refusal.clientNonce, serverNonce);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n' +
        `Upgrade: ${RPC_STREAM_PROTOCOL}\r\n${PROTOCOL_HEADER}: ${version}\r\n` +
        `${RPC_SESSION_HEADER}: ${sessionHeader(session, serverNonce)}\r\n\r\n`,
    );
    const state: StreamState = { inflight: 0, closing: false };
    open.set(socket, state);
    socket.on('close', () => open.delete(socket));
    serveStream(socket, session, options, head, state);
  });
  const close = () => {
    for (const socket of open.keys()) socket.destroy();
  };
  const drain = async () => {
    const closed = [...open].map(([socket, state]) => {
      state.closing = true;
      endWhenQuiet(socket, state);
      return new Promise<void>((resolve) => socket.once('close', () => resolve()));
    });
    await Promise.all(closed);
  };
  return Object.assign(close, { drain });
}

/** Ends a closing stream once nothing has been in flight on it for DRAIN_QUIET_MS. */
function endWhenQuiet(socket: Duplex, state: StreamState): void {
  clearTimeout(state.quiet);
  if (!state.closing || state.inflight > 0) return;
  state.quiet = setTimeout(() => {
    if (state.inflight === 0) socket.end();
  }, DRAIN_QUIET_MS);
}

/** Answers an upgrade from a peer of another major with 426 and our version. */
function refuseProtocol(
  socket: Duplex,
  version: string,
  error: string,
  options: RpcStreamServerOptions,
): void {
  options.onRefused?.(error);
  socket.end(
    `HTTP/1.1 ${PROTOCOL_REFUSED_STATUS} Upgrade Required\r\n` +
      `${PROTOCOL_HEADER}: ${version}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

function checkUpgrade(
  request: IncomingMessage,
  key: Buffer,
  nowMs: number,
  replay: ReplayGuard,
): string | { clientNonce: string } {
  if (request.headers.upgrade !== RPC_STREAM_PROTOCOL) return 'not an RPC stream upgrade';
  const clientNonce = clientNonceOf(request.url ?? '');
  if (request.method !== 'GET' || !clientNonce) return 'malformed RPC stream upgrade';
  const header = request.headers[INTERNAL_AUTH_HEADER];
  const signed = {
    method: 'GET',
    path: request.url!,
    contentType: request.headers['content-type'] ?? '',
    bodyDigest: bodyDigest(undefined),
    protocol: request.headers[PROTOCOL_HEADER] as string | undefined,
  };
  const refusal: InternalAuthRefusal | undefined = verifyInternal(
    key,
    typeof header === 'string' ? header : undefined,
    signed,
    nowMs,
    replay,
  );
  return refusal ? `internal request refused: ${refusal.detail}` : { clientNonce };
}

/** Reads request frames, runs them, writes replies; closes the socket on any bad frame. */
function serveStream(
  socket: Duplex,
  session: Buffer,
  options: RpcStreamServerOptions,
  head: Buffer,
  state: StreamState,
): void {
  const reader = new FrameReader(session, 'client', options.frameBytesMax);
  const sealer = new FrameSealer(session, 'server');
  let inflightBytes = 0;
  let draining = false;
  const flow = () => {
    const hold = inflightBytes > options.inflightBytesMax || draining;
    if (hold) socket.pause();
    else socket.resume();
  };
  let corked = false;
  const send = (id: number, kind: FrameKind, payload: Buffer[]) => {
    if (socket.destroyed) return;
    if (!corked) {
      // Replies finished in the same tick leave in one write (batching).
      corked = true;
      socket.cork();
      process.nextTick(() => ((corked = false), socket.uncork()));
    }
    let written = true;
    for (const part of sealer.seal(id, kind, payload)) written = socket.write(part);
    if (!written && !draining) {
      draining = true;
      flow();
      socket.once('drain', () => ((draining = false), flow()));
    }
  };
  const run = (frame: Frame) => {
    inflightBytes += frame.payload.length;
    state.inflight++;
    clearTimeout(state.quiet);
    flow();
    void answer(frame, options.handle).then(([kind, payload]) => {
      inflightBytes -= frame.payload.length;
      state.inflight--;
      send(frame.id, kind, payload);
      flow();
      endWhenQuiet(socket, state);
    });
  };
  const onData = (chunk: Buffer) => {
    try {
      for (const frame of reader.push(chunk)) run(frame);
    } catch (error) {
      options.onRefused?.((error as Error).message);
      socket.destroy();
    }
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  if (head.length > 0) onData(head);
}

/** The reply frame for one request frame; a handler that throws answers a failure frame. */
async function answer(
  frame: Frame,
  handle: (request: NodeRequest) => Promise<NodeReply>,
): Promise<[FrameKind, Buffer[]]> {
  try {
    if (frame.kind !== FrameKind.request) throw new Error('a client sent a non-request frame');
    const reply = await handle(decodeMessage<NodeRequest>(frame.payload));
    return [FrameKind.reply, encodeMessageParts(reply)];
  } catch (error) {
    return [FrameKind.failure, [Buffer.from(String((error as Error).message ?? error), 'utf8')]];
  }
}
