/**
 * The one HTTP client of the cluster's internal API: node-to-node RPC and gossip, front
 * ends and stanchions reaching the ring, front ends reaching stanchion, and cairn-admin.
 * Every request it sends is signed (x-cairn-auth) with the key derived from the cookie,
 * never the cookie itself; with internal TLS it speaks HTTPS, presents this process's
 * certificate and checks the server's against the cluster CA. Connections are pooled.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import {
  bodyDigest,
  INTERNAL_AUTH_HEADER,
  internalKey,
  protocolNonce,
  signInternal,
} from '../core/internal-auth.js';
import { checkCookie, type InternalSecurity } from './internal-security.js';
import { acceptSession } from './rpc-session.js';
import {
  checkPeerProtocol,
  formatProtocolVersion,
  localProtocolVersion,
  PROTOCOL_HEADER,
  PROTOCOL_REFUSED_STATUS,
  ProtocolMismatchError,
  type ProtocolVersion,
} from './protocol-version.js';

/** One request to send. */
export interface InternalRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** The request fails when the connection is idle this long, in ms. */
  timeoutMs: number;
  /** A reply larger than this fails the request, in bytes. */
  replyBytesMax?: number;
}

/** An upgraded connection: the socket, bytes already read past the 101, its headers. */
export interface Upgraded {
  socket: Socket;
  head: Buffer;
  headers: IncomingHttpHeaders;
}

/** The answer: status and the whole body. */
export interface InternalReply {
  status: number;
  body: Buffer;
}

const REPLY_BYTES_DEFAULT = 16 * 1024 * 1024;

/** Signs and sends internal requests for one process. */
export class InternalClient {
  /** `http` or `https`, as the cluster's listeners serve. */
  readonly scheme: 'http' | 'https';
  /** The internal protocol version this client sends (protocol-version.ts). */
  readonly protocol: ProtocolVersion;
  private readonly key: Buffer;
  private readonly agent: HttpAgent;
  private readonly peerVersions = new Map<string, ProtocolVersion>();

  constructor(
    security: InternalSecurity,
    private readonly clock: () => number = Date.now,
    protocol: ProtocolVersion = localProtocolVersion(),
  ) {
    this.protocol = protocol;
    checkCookie(security.cookie);
    this.key = internalKey(security.cookie);
    const pool = { keepAlive: true, maxSockets: 64 };
    const tls = security.tls;
    this.scheme = tls ? 'https' : 'http';
    this.agent = tls
      ? new HttpsAgent({ ...pool, cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.2' })
      : new HttpAgent(pool);
  }

  /**
   * The x-cairn-auth header for a request (exported for tests and tools that send raw): it
   * binds no x-cairn-protocol header, so the request may carry none (it then speaks 1.0).
   */
  sign(method: string, path: string, contentType: string, body?: Buffer): string {
    const request = { method, path, contentType, bodyDigest: bodyDigest(body) };
    return signInternal(this.key, request, this.clock(), randomUUID());
  }

  /** The x-cairn-auth header binding the x-cairn-protocol header this client sends. */
  private signBound(method: string, path: string, contentType: string, body?: Buffer): string {
    const request = { method, path, contentType, bodyDigest: bodyDigest(body) };
    const nonce = protocolNonce(formatProtocolVersion(this.protocol), randomUUID());
    return signInternal(this.key, request, this.clock(), nonce);
  }

  /** Sends one signed request to `address` (host:port); network errors reject as they are. */
  request(address: string, options: InternalRequest): Promise<InternalReply> {
    const contentType = options.contentType ?? '';
    const headers: Record<string, string | number> = {
      ...options.headers,
      [PROTOCOL_HEADER]: formatProtocolVersion(this.protocol),
      [INTERNAL_AUTH_HEADER]: this.signBound(
        options.method,
        options.path,
        contentType,
        options.body,
      ),
      'content-length': options.body?.length ?? 0,
    };
    if (contentType !== '') headers['content-type'] = contentType;
    const send = this.scheme === 'https' ? httpsRequest : httpRequest;
    const limit = options.replyBytesMax ?? REPLY_BYTES_DEFAULT;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        `${this.scheme}://${address}${options.path}`,
        { method: options.method, agent: this.agent, timeout: options.timeoutMs, headers },
        (res) => {
          const mismatch = this.checkAnswer(address, res);
          if (mismatch) return void (res.resume(), reject(mismatch));
          collect(res, limit, outgoing.destroy.bind(outgoing)).then(resolve, reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout ${options.timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  }

  /**
   * Sends a signed GET asking to upgrade to `protocol`; resolves with the socket once the
   * server answers 101 (the socket then leaves the pool). Any other answer rejects with an
   * error whose `status` is the HTTP status; network errors reject as they are.
   */
  upgrade(address: string, path: string, protocol: string, timeoutMs: number) {
    const headers = {
      [PROTOCOL_HEADER]: formatProtocolVersion(this.protocol),
      [INTERNAL_AUTH_HEADER]: this.signBound('GET', path, ''),
      connection: 'Upgrade',
      upgrade: protocol,
    };
    const send = this.scheme === 'https' ? httpsRequest : httpRequest;
    return new Promise<Upgraded>((resolve, reject) => {
      const outgoing = send(`${this.scheme}://${address}${path}`, {
        agent: this.agent,
        timeout: timeoutMs,
        headers,
      });
      outgoing.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
        const mismatch = this.checkAnswer(address, res);
        if (mismatch) return void (socket.destroy(), reject(mismatch));
        socket.setTimeout(0);
        resolve({ socket, head, headers: res.headers });
      });
      outgoing.on('response', (res: IncomingMessage) => {
        res.resume();
        const mismatch = this.checkAnswer(address, res);
        if (mismatch) return reject(mismatch);
        const status = res.statusCode ?? 0;
        reject(Object.assign(new Error(`upgrade refused: HTTP ${status}`), { status }));
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  /**
   * The session key of an RPC stream, from the server's 101 header and the nonce this client
   * sent; undefined unless the server proved the cookie (ring/transport/rpc-session.ts).
   */
  acceptSession(clientNonce: string, header: string | undefined): Buffer | undefined {
    return acceptSession(this.key, clientNonce, header);
  }

  /**
   * The protocol version `address` last answered with (undefined before any answer), so a
   * newer process can avoid, towards an older peer, what that peer's minor lacks.
   */
  peerProtocol(address: string): ProtocolVersion | undefined {
    return this.peerVersions.get(address);
  }

  /** Records the peer's version; an error when it speaks another major or refused ours. */
  private checkAnswer(address: string, res: IncomingMessage): ProtocolMismatchError | undefined {
    const peer = checkPeerProtocol(this.protocol, res.headers[PROTOCOL_HEADER], address);
    if (peer.version) this.peerVersions.set(address, peer.version);
    if (!peer.ok) return new ProtocolMismatchError(peer.error);
    // A peer of our major that still refused our version: its 426 says why.
    if (res.statusCode === PROTOCOL_REFUSED_STATUS) {
      return new ProtocolMismatchError(
        `${address} refused protocol version ${formatProtocolVersion(this.protocol)}`,
      );
    }
    return undefined;
  }

  /** Closes idle pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

function collect(
  res: IncomingMessage,
  limit: number,
  abort: (error: Error) => void,
): Promise<InternalReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) abort(new Error(`reply over ${limit} bytes`));
      else chunks.push(chunk);
    });
    res.on('error', reject);
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
  });
}
