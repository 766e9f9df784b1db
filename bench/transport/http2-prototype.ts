/**
 * HTTP/2 as an internal transport, built only to be measured against the others
 * (`npm run bench:transport`): one h2c session per peer, each request a stream carrying a
 * binary codec.ts body, signed per request exactly as today's HTTP transport (x-cairn-auth:
 * HMAC over method, path, body digest, time and nonce; replay guard on the server). It was
 * not chosen (BENCHMARKS.md, "Internal transport"), so it lives in the bench, not in ring/.
 */
import {
  connect,
  createServer,
  type ClientHttp2Session,
  type Http2Server,
  type ServerHttp2Stream,
  type IncomingHttpHeaders,
} from 'node:http2';
import {
  bodyDigest,
  internalKey,
  ReplayGuard,
  verifyInternal,
} from '../../ring/core/internal-auth.js';
import { decodeMessage, encodeMessage } from '../../ring/transport/codec.js';
import type { InternalClient } from '../../ring/transport/internal-client.js';
import type { NodeHandler } from '../../ring/transport/transport.js';
import type { NodeReply, NodeRequest } from '../../ring/transport/messages.js';

const TYPE = 'application/octet-stream';

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** An h2c server answering signed POST /rpc streams with `handle`. */
export function http2RpcServer(cookie: string, handle: NodeHandler): Http2Server {
  const key = internalKey(cookie);
  const replay = new ReplayGuard(200_000);
  // Past nghttp2's default 10 MB of session memory (16 MiB values in flight) it answers
  // ENHANCE_YOUR_CALM and drops the session.
  const server = createServer({ maxSessionMemory: 256, settings: { initialWindowSize: 8 << 20 } });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    void collect(stream).then(async (body) => {
      const auth = headers['x-cairn-auth'];
      const signed = {
        method: 'POST',
        path: '/rpc',
        contentType: TYPE,
        bodyDigest: bodyDigest(body),
      };
      const refusal = verifyInternal(key, auth as string, signed, Date.now(), replay);
      if (refusal) return stream.respond({ ':status': 401 }, { endStream: true });
      const reply = await handle(decodeMessage<NodeRequest>(body));
      stream.respond({ ':status': 200, 'content-type': TYPE });
      stream.end(encodeMessage(reply));
    });
  });
  return server;
}

/** A client of one h2c peer: one session, requests multiplexed on it. */
export class Http2RpcClient {
  private session: ClientHttp2Session;

  constructor(
    private readonly address: string,
    private readonly signer: InternalClient,
  ) {
    this.session = this.connect();
  }

  private connect(): ClientHttp2Session {
    const options = { maxSessionMemory: 256, settings: { initialWindowSize: 8 << 20 } };
    const session = connect(`http://${this.address}`, options);
    session.on('error', () => {});
    return session;
  }

  async call(request: NodeRequest): Promise<NodeReply> {
    const body = encodeMessage(request);
    if (this.session.destroyed || this.session.closed) this.session = this.connect();
    const stream = this.session.request({
      ':method': 'POST',
      ':path': '/rpc',
      'content-type': TYPE,
      'x-cairn-auth': this.signer.sign('POST', '/rpc', TYPE, body),
    });
    stream.end(body);
    const status = await new Promise<number>((resolve, reject) => {
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.on('error', reject);
    });
    const answer = await collect(stream);
    if (status !== 200) throw new Error(`HTTP ${status}`);
    return decodeMessage<NodeReply>(answer);
  }

  close(): void {
    this.session.close();
  }
}
