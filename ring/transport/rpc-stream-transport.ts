/**
 * The transport between processes (front end → node, node → node): one persistent,
 * authenticated RPC stream per peer (rpc-stream-peer.ts), opened by a signed HTTP upgrade
 * on the peer's internal port — HTTPS with mutual TLS when the cluster uses it — and
 * reopened on the next call after it breaks (a peer restart). Chosen over per-request HTTP
 * and HTTP/2 by `npm run bench:transport` (BENCHMARKS.md, "Internal transport").
 *
 * A peer that answers the upgrade with 404 runs an older Cairn without the stream: calls to
 * it go over the per-request HTTP transport for a while, so a cluster can be upgraded one
 * node at a time.
 */
import { randomBytes } from 'node:crypto';
import { HttpTransport, REPLY_BYTES_MAX } from './http-transport.js';
import type { InternalClient } from './internal-client.js';
import type { NodeReply, NodeRequest } from './messages.js';
import { RPC_SESSION_HEADER, RPC_STREAM_PROTOCOL, rpcStreamPath } from './rpc-session.js';
import { PeerStream, type PeerStreamLimits } from './rpc-stream-peer.js';
import { NodeUnreachableError, type Transport } from './transport.js';

/** Bytes of requests in flight per connection before calls wait (backpressure). */
export const STREAM_INFLIGHT_BYTES_MAX = 32 * 1024 * 1024;
/** How long a peer that does not speak the stream is reached over HTTP before asking again. */
const HTTP_FALLBACK_MS = 60_000;

/** Sends node requests over one RPC stream per peer. */
export class StreamTransport implements Transport {
  private readonly streams = new Map<string, Promise<PeerStream>>();
  private readonly httpUntilMs = new Map<string, number>();
  private readonly http: HttpTransport;
  private closed = false;

  constructor(
    private readonly addressOf: (nodeId: string) => string | undefined,
    private readonly client: InternalClient,
    private readonly limits: PeerStreamLimits = {
      frameBytesMax: REPLY_BYTES_MAX,
      inflightBytesMax: STREAM_INFLIGHT_BYTES_MAX,
    },
  ) {
    this.http = new HttpTransport(addressOf, client);
  }

  async call(nodeId: string, req: NodeRequest, options: { timeoutMs: number }): Promise<NodeReply> {
    const address = this.addressOf(nodeId);
    if (!address || this.closed) {
      const detail = address ? 'transport closed' : 'no known address';
      throw new NodeUnreachableError(nodeId, detail, { maybeDelivered: false });
    }
    if ((this.httpUntilMs.get(address) ?? 0) > Date.now()) {
      return this.http.call(nodeId, req, options);
    }
    const stream = await this.streamTo(nodeId, address, options.timeoutMs);
    if (!stream) return this.http.call(nodeId, req, options);
    return stream.call(req, options.timeoutMs);
  }

  /** Closes every stream (pending calls fail) and the HTTP pool. */
  close(): void {
    this.closed = true;
    for (const stream of this.streams.values())
      void stream.then(
        (s) => s.close(),
        () => {},
      );
    this.streams.clear();
    this.http.close();
  }

  /** The open stream to `address`, opened if there is none; undefined: use HTTP. */
  private async streamTo(nodeId: string, address: string, timeoutMs: number) {
    const key = `${nodeId}@${address}`;
    let opening = this.streams.get(key);
    if (opening) {
      const stream = await opening.catch(() => undefined);
      if (stream?.usable) return stream;
      if (this.streams.get(key) === opening) this.streams.delete(key);
      opening = this.streams.get(key);
    }
    if (!opening) {
      opening = this.open(nodeId, address, timeoutMs);
      this.streams.set(key, opening);
      opening.catch(() => this.streams.get(key) === opening && this.streams.delete(key));
    }
    try {
      return await opening;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      this.httpUntilMs.set(address, Date.now() + HTTP_FALLBACK_MS);
      return undefined;
    }
  }

  /** Handshake: nothing is sent before it verifies, so its failures are never delivered. */
  private async open(nodeId: string, address: string, timeoutMs: number): Promise<PeerStream> {
    const clientNonce = randomBytes(16).toString('hex');
    const path = rpcStreamPath(clientNonce);
    let upgraded;
    try {
      upgraded = await this.client.upgrade(address, path, RPC_STREAM_PROTOCOL, timeoutMs);
    } catch (error) {
      const status = (error as { status?: number }).status;
      const detail = (error as Error).message;
      const unreachable = new NodeUnreachableError(nodeId, detail, {
        cause: error,
        maybeDelivered: false,
      });
      throw Object.assign(unreachable, status === undefined ? {} : { status });
    }
    const header = upgraded.headers[RPC_SESSION_HEADER];
    const session = this.client.acceptSession(
      clientNonce,
      typeof header === 'string' ? header : undefined,
    );
    if (!session) {
      upgraded.socket.destroy();
      const detail = 'the peer did not prove the cluster cookie';
      throw new NodeUnreachableError(nodeId, detail, { maybeDelivered: false });
    }
    if (this.closed) upgraded.socket.destroy();
    upgraded.socket.unref();
    return new PeerStream(nodeId, upgraded.socket, session, this.limits, upgraded.head);
  }
}
