/**
 * Small JSON-over-HTTP calls between cluster processes (gossip, admin, transfer reports),
 * with the cluster cookie and a timeout. Object data never goes this way: it uses the
 * binary /rpc transport.
 */

/** The header carrying the shared cluster secret (Riak's cookie). */
export const COOKIE_HEADER = 'x-cairn-cookie';

/** Raised when a peer answers with an error; `status` is its HTTP status. */
export class PeerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** POSTs (or GETs, without body) JSON to http://address/path; resolves with the JSON answer. */
export async function peerCall<T>(
  address: string,
  path: string,
  options: { cookie: string; body?: unknown; timeoutMs?: number; headers?: Record<string, string> },
): Promise<T> {
  const response = await fetch(`http://${address}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: {
      ...options.headers,
      [COOKIE_HEADER]: options.cookie,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // Not JSON: keep the text.
    }
    throw new PeerError(response.status, message);
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
