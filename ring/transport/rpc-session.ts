/**
 * The handshake that opens an RPC stream, and the session key it yields. Authentication is
 * per connection with per-frame MACs, equivalent to signing each request:
 *
 * 1. The client sends an HTTP upgrade, `GET /rpc-stream?n=<client nonce>`, signed like every
 *    internal request (ring/core/internal-auth.ts: HMAC over method, path — so the nonce —
 *    time and a request nonce, within the skew window, refused if replayed). It proves the
 *    cookie without sending it.
 * 2. The server answers 101 with its own fresh nonce and a proof, HMAC(session key,
 *    'server'), so the client knows it reached a holder of the cookie too.
 * 3. Both sides derive the session key = HMAC(cookie key, client nonce, server nonce); every
 *    frame after is MACed under it with its sequence number (frame.ts).
 *
 * A recorded upgrade replayed is refused by the replay guard; were it replayed elsewhere,
 * the server's fresh nonce gives a session key the replayer cannot compute, so it can send
 * no frame that verifies. Pure; nonces come from the caller.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The path of the upgrade request, before its query. */
export const RPC_STREAM_PATH = '/rpc-stream';
/** The Upgrade protocol token. */
export const RPC_STREAM_PROTOCOL = 'cairn-rpc/1';
/** The 101 answer's header carrying `<server nonce>.<proof>`. */
export const RPC_SESSION_HEADER = 'x-cairn-session';

const NONCE = /^[0-9a-f]{32}$/;
const SESSION = /^([0-9a-f]{32})\.([0-9a-f]{64})$/;

/** The upgrade path carrying the client's nonce (32 lower-case hex digits). */
export function rpcStreamPath(clientNonce: string): string {
  if (!NONCE.test(clientNonce)) throw new Error('an RPC stream nonce is 32 hex digits');
  return `${RPC_STREAM_PATH}?n=${clientNonce}`;
}

/** The client nonce of an upgrade path, or undefined when the path is not one. */
export function clientNonceOf(path: string): string | undefined {
  const prefix = `${RPC_STREAM_PATH}?n=`;
  if (!path.startsWith(prefix)) return undefined;
  const nonce = path.slice(prefix.length);
  return NONCE.test(nonce) ? nonce : undefined;
}

/** The key every frame of one connection is MACed with. */
export function sessionKey(cookieKey: Buffer, clientNonce: string, serverNonce: string): Buffer {
  return createHmac('sha256', cookieKey)
    .update(`cairn rpc session v1\n${clientNonce}\n${serverNonce}`)
    .digest();
}

function serverProof(key: Buffer): Buffer {
  return createHmac('sha256', key).update('server').digest();
}

/** The server's session header value for `serverNonce` (32 hex digits). */
export function sessionHeader(key: Buffer, serverNonce: string): string {
  return `${serverNonce}.${serverProof(key).toString('hex')}`;
}

/**
 * The session key from the server's header, or undefined when the header is malformed or
 * its proof is not by a holder of the cookie.
 */
export function acceptSession(
  cookieKey: Buffer,
  clientNonce: string,
  header: string | undefined,
): Buffer | undefined {
  const match = header === undefined ? null : SESSION.exec(header);
  if (!match) return undefined;
  const key = sessionKey(cookieKey, clientNonce, match[1]!);
  const proof = Buffer.from(match[2]!, 'hex');
  return timingSafeEqual(serverProof(key), proof) ? key : undefined;
}
