/**
 * The network transport: each request is one signed HTTP POST to the node's /rpc route over
 * the process's InternalClient (a keep-alive pool; HTTPS with internal TLS), bounded by a
 * timeout. A node that cannot be reached or does not answer in time is a
 * NodeUnreachableError, which coordinators route around.
 */
import { decodeMessage, encodeMessage } from './codec.js';
import type { InternalClient } from './internal-client.js';
import type { NodeReply, NodeRequest } from './messages.js';
import { NodeUnreachableError, type Transport } from './transport.js';

/** Errors that mean the request never reached the node. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Largest reply accepted, in bytes: a scan page or a block, with room to spare. */
export const REPLY_BYTES_MAX = 96 * 1024 * 1024;

/** Sends node requests over HTTP; `addressOf` maps a node id to host:port. */
export class HttpTransport implements Transport {
  constructor(
    private readonly addressOf: (nodeId: string) => string | undefined,
    private readonly client: InternalClient,
  ) {}

  async call(nodeId: string, req: NodeRequest, options: { timeoutMs: number }): Promise<NodeReply> {
    const address = this.addressOf(nodeId);
    if (!address) {
      throw new NodeUnreachableError(nodeId, 'no known address', { maybeDelivered: false });
    }
    let reply;
    try {
      reply = await this.client.request(address, {
        method: 'POST',
        path: '/rpc',
        body: encodeMessage(req),
        contentType: 'application/octet-stream',
        timeoutMs: options.timeoutMs,
        replyBytesMax: REPLY_BYTES_MAX,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const maybeDelivered = !NOT_DELIVERED.has(code ?? '');
      const detail = (error as Error).message;
      throw new NodeUnreachableError(nodeId, detail, { cause: error, maybeDelivered });
    }
    if (reply.status !== 200) throw refusedBy(nodeId, reply.status, reply.body);
    try {
      return decodeMessage<NodeReply>(reply.body);
    } catch (error) {
      throw new NodeUnreachableError(nodeId, 'malformed reply', { cause: error });
    }
  }

  /** Closes idle pooled connections (the client's, shared with the process's other calls). */
  close(): void {
    this.client.close();
  }
}

/** A non-200 answer; a 401 keeps the node's reason (a wrong cookie, a clock off). */
function refusedBy(nodeId: string, status: number, body: Buffer): NodeUnreachableError {
  let detail = `HTTP ${status}`;
  if (status === 401) {
    try {
      detail += `: ${(JSON.parse(body.toString('utf8')) as { error?: string }).error ?? ''}`;
    } catch {
      // Not JSON: the status says enough.
    }
  }
  return new NodeUnreachableError(nodeId, detail);
}
