/**
 * A front end's graceful stop (SIGTERM), on top of what fastify's close() does in the
 * version we use (5.12): it stops accepting connections (server.close), closes the idle
 * keep-alive sockets once, and answers a request that arrives on a kept socket during the
 * close with `Connection: close` (and, with return503OnClosing, a 503 before any handler).
 * It waits for every other socket, with no bound.
 *
 * What this adds: responses already in flight whose headers are not out yet say
 * `Connection: close`, so keep-alive clients reconnect elsewhere; a socket that turns idle
 * during the drain (its long GET done) is closed at once rather than after the 65 s
 * keep-alive timeout; and past the grace, the sockets left are destroyed.
 */
import type { FastifyInstance } from 'fastify';

/** How often sockets that turned idle during a drain are looked for and closed, in ms. */
const IDLE_SWEEP_MS = 50;

/** A front end's graceful close, installed on its app before it listens. */
export interface Drainer {
  /**
   * Closes the app: in-flight requests are answered to the end within `graceMs`, then what is
   * left is cut. Resolves once the server is closed; `cut` tells whether the grace ran out.
   */
  drain(graceMs: number): Promise<{ cut: boolean }>;
}

/** Marks the app's responses during a drain so keep-alive clients go; see the file comment. */
export function installDrainer(app: FastifyInstance): Drainer {
  let draining = false;
  // onSend runs just before a response's headers are written (every handler sends through
  // reply.send): one that does not keep alive makes Node write `Connection: close` and end
  // the socket after it.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.raw.shouldKeepAlive = false;
    done(null, payload);
  });
  return {
    async drain(graceMs) {
      draining = true;
      const server = app.server;
      // A socket whose response went out before the drain (a long GET) turns idle when it
      // ends: closed then, not after the keep-alive timeout.
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      let cut = false;
      const deadline = setTimeout(() => {
        cut = true;
        server.closeAllConnections();
      }, graceMs);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(deadline);
      }
      return { cut };
    },
  };
}
