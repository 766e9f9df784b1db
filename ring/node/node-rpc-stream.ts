/**
 * Serves the RPC stream (ring/transport/rpc-stream-server.ts) on a node's internal
 * listener beside its HTTP routes, and closes the open streams when the listener closes.
 * Refusals are logged with their reason at most once per interval, so a flood of bad
 * upgrades cannot fill the log.
 */
import type { FastifyInstance } from 'fastify';
import type { NodeReply, NodeRequest } from '../transport/messages.js';
import { attachRpcStream } from '../transport/rpc-stream-server.js';

/** Largest request frame a node accepts, in bytes (as its /rpc route's body limit). */
const FRAME_BYTES_MAX = 96 * 1024 * 1024;
/** Bytes of requests a node handles at once per connection before it stops reading. */
const INFLIGHT_BYTES_MAX = 32 * 1024 * 1024;
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Serves RPC streams on `app`'s server, handled by `handle`; returns what drains them (each
 * answers what it is handling, then ends) before a graceful close.
 */
export function serveNodeRpcStream(
  app: FastifyInstance,
  cookie: string,
  handle: (request: NodeRequest) => Promise<NodeReply>,
): () => Promise<void> {
  let loggedAtMs = -Infinity;
  const closeStreams = attachRpcStream(app.server, {
    cookie,
    handle,
    frameBytesMax: FRAME_BYTES_MAX,
    inflightBytesMax: INFLIGHT_BYTES_MAX,
    onRefused: (reason) => {
      const now = Date.now();
      if (now - loggedAtMs < REFUSAL_LOG_INTERVAL_MS) return;
      loggedAtMs = now;
      app.log.warn({ reason: reason.slice(0, 200) }, 'internal RPC stream refused');
    },
  });
  app.addHook('preClose', (done) => {
    closeStreams();
    done();
  });
  return () => closeStreams.drain();
}
