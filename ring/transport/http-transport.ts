/**
 * The network transport: each request is one HTTP POST to the node's /rpc route over a
 * keep-alive connection pool, bounded by a timeout. A node that cannot be reached or does
 * not answer in time is a NodeUnreachableError, which coordinators route around.
 */
import { Agent, request } from 'node:http';
import { decodeMessage, encodeMessage } from './codec.js';
import type { NodeReply, NodeRequest } from './messages.js';
import { NodeUnreachableError, type Transport } from './transport.js';

/** Errors that mean the request never reached the node. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Largest reply accepted, in bytes: a scan page or a block, with room to spare. */
export const REPLY_BYTES_MAX = 96 * 1024 * 1024;

/** Sends node requests over HTTP; `addressOf` maps a node id to host:port. */
export class HttpTransport implements Transport {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly addressOf: (nodeId: string) => string | undefined,
    private readonly cookie: string,
  ) {}

  call(nodeId: string, req: NodeRequest, options: { timeoutMs: number }): Promise<NodeReply> {
    const address = this.addressOf(nodeId);
    if (!address) {
      const error = new NodeUnreachableError(nodeId, 'no known address', { maybeDelivered: false });
      return Promise.reject(error);
    }
    const body = encodeMessage(req);
    return new Promise((resolve, reject) => {
      const fail = (detail: string, cause?: unknown) => {
        const code = (cause as NodeJS.ErrnoException | undefined)?.code;
        const maybeDelivered = !NOT_DELIVERED.has(code ?? '');
        reject(new NodeUnreachableError(nodeId, detail, { cause, maybeDelivered }));
      };
      const outgoing = request(
        `http://${address}/rpc`,
        {
          method: 'POST',
          agent: this.agent,
          timeout: options.timeoutMs,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': body.length,
            'x-cairn-cookie': this.cookie,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > REPLY_BYTES_MAX) outgoing.destroy(new Error('reply too large'));
            else chunks.push(chunk);
          });
          res.on('error', (error) => fail('reply failed', error));
          res.on('end', () => {
            if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}`);
            try {
              resolve(decodeMessage<NodeReply>(Buffer.concat(chunks)));
            } catch (error) {
              fail('malformed reply', error);
            }
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout ${options.timeoutMs} ms`)));
      outgoing.on('error', (error) => fail(error.message, error));
      outgoing.end(body);
    });
  }

  /** Closes idle pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
