/**
 * One client connection of the RPC stream to one peer: requests are pipelined on it with
 * ids, replies matched by id in whatever order they come. Requests sent in the same tick
 * leave in one write (corked), so the replicas' writes of one PUT, or the concurrent calls
 * of many, are batched into one segment without waiting for anything.
 *
 * Failure semantics, as the Transport interface promises: a request is written only after
 * the handshake verified, so everything that fails before that (refused, unreachable, 401,
 * a server that is not the cluster's) surely was not delivered; once written, a broken
 * connection or a timeout leaves it maybe delivered. In-flight request bytes are bounded:
 * past `inflightBytesMax` a call waits for replies to free room before it is written.
 */
import type { Socket } from 'node:net';
import { decodeMessage, encodeMessageParts } from './codec.js';
import { FrameKind, FrameReader, FrameSealer, type Frame } from './frame.js';
import type { NodeReply, NodeRequest } from './messages.js';
import { NodeUnreachableError } from './transport.js';

/** Limits of one peer connection. */
export interface PeerStreamLimits {
  /** Largest reply frame accepted, in bytes. */
  frameBytesMax: number;
  /** Bytes of requests written and not yet answered before further calls wait. */
  inflightBytesMax: number;
}

interface Pending {
  resolve: (reply: NodeReply) => void;
  reject: (error: Error) => void;
  bytes: number;
  timer: NodeJS.Timeout;
}

/** An open, verified connection. */
export class PeerStream {
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: Array<() => void> = [];
  private readonly sealer: FrameSealer;
  private readonly reader: FrameReader;
  private nextId = 1;
  private inflightBytes = 0;
  private corked = false;
  private closedBy: Error | undefined;

  constructor(
    private readonly nodeId: string,
    private readonly socket: Socket,
    session: Buffer,
    private readonly limits: PeerStreamLimits,
    head: Buffer,
  ) {
    this.sealer = new FrameSealer(session, 'client');
    this.reader = new FrameReader(session, 'server', limits.frameBytesMax);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
    if (head.length > 0) this.onData(head);
  }

  /** False once the connection broke; the transport then opens a new one. */
  get usable(): boolean {
    return this.closedBy === undefined;
  }

  /** Sends one request and waits for its reply, at most `timeoutMs`. */
  async call(request: NodeRequest, timeoutMs: number): Promise<NodeReply> {
    const payload = encodeMessageParts(request);
    const bytes = payload.reduce((sum, part) => sum + part.length, 0);
    const startedMs = Date.now();
    await this.room(bytes, timeoutMs);
    const leftMs = Math.max(1, timeoutMs - (Date.now() - startedMs));
    return new Promise<NodeReply>((resolve, reject) => {
      if (this.closedBy) return reject(this.unreachable(this.closedBy.message, false));
      const id = this.nextId;
      this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
      const timer = setTimeout(() => {
        if (this.settle(id)) reject(this.unreachable(`timeout ${timeoutMs} ms`, true));
      }, leftMs);
      this.pending.set(id, { resolve, reject, bytes, timer });
      this.inflightBytes += bytes;
      this.write(id, payload);
    });
  }

  /** Closes the connection; calls still pending fail as maybe delivered. */
  close(): void {
    this.socket.destroy();
    this.fail(new Error('transport closed'));
  }

  /** Waits until `bytes` more fit under the in-flight bound (one call always fits alone). */
  private async room(bytes: number, timeoutMs: number): Promise<void> {
    const deadlineMs = Date.now() + timeoutMs;
    while (this.inflightBytes > 0 && this.inflightBytes + bytes > this.limits.inflightBytesMax) {
      if (this.closedBy) return;
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) throw this.unreachable(`no room to send within ${timeoutMs} ms`, false);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, leftMs);
        this.waiting.push(() => (clearTimeout(timer), wake()));
      });
    }
  }

  private write(id: number, payload: Buffer[]): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => ((this.corked = false), this.socket.uncork()));
    }
    for (const part of this.sealer.seal(id, FrameKind.request, payload)) this.socket.write(part);
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.socket.destroy();
      return this.fail(error as Error);
    }
    for (const frame of frames) this.deliver(frame);
  }

  private deliver(frame: Frame): void {
    const call = this.pending.get(frame.id);
    if (!call || !this.settle(frame.id)) return; // Its caller timed out: dropped.
    if (frame.kind === FrameKind.failure) {
      return call.reject(this.unreachable(`failed: ${frame.payload.toString('utf8')}`, true));
    }
    try {
      call.resolve(decodeMessage<NodeReply>(frame.payload));
    } catch (error) {
      call.reject(new NodeUnreachableError(this.nodeId, 'malformed reply', { cause: error }));
    }
  }

  /** Forgets call `id`, freeing its bytes; false if it was already settled. */
  private settle(id: number): boolean {
    const call = this.pending.get(id);
    if (!call) return false;
    clearTimeout(call.timer);
    this.pending.delete(id);
    this.inflightBytes -= call.bytes;
    for (const wake of this.waiting.splice(0)) wake();
    return true;
  }

  private fail(error: Error): void {
    if (this.closedBy) return;
    this.closedBy = error;
    for (const [id, call] of [...this.pending]) {
      this.settle(id);
      call.reject(this.unreachable(error.message, true, error));
    }
    for (const wake of this.waiting.splice(0)) wake();
  }

  private unreachable(detail: string, maybeDelivered: boolean, cause?: unknown) {
    return new NodeUnreachableError(this.nodeId, detail, { cause, maybeDelivered });
  }
}
