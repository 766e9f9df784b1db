/**
 * Small JSON-over-HTTP calls between cluster processes (gossip, admin, transfer reports),
 * signed by the process's InternalClient and bounded by a timeout. Object data never goes
 * this way: it uses the binary /rpc transport.
 */
import type { InternalClient } from './internal-client.js';

/** Raised when a peer answers with an error; `status` is its HTTP status. */
export class PeerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** POSTs (or GETs, without body) JSON to address/path; resolves with the JSON answer. */
export async function peerCall<T>(
  client: InternalClient,
  address: string,
  path: string,
  options: { body?: unknown; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<T> {
  const hasBody = options.body !== undefined;
  const reply = await client.request(address, {
    method: hasBody ? 'POST' : 'GET',
    path,
    ...(hasBody
      ? { body: Buffer.from(JSON.stringify(options.body)), contentType: 'application/json' }
      : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    timeoutMs: options.timeoutMs ?? 5000,
  });
  const text = reply.body.toString('utf8');
  if (reply.status < 200 || reply.status > 299) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // Not JSON: keep the text.
    }
    throw new PeerError(reply.status, message);
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
