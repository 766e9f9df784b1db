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
import type { ServerResponse } from 'node:http';
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

/** Tracks the app's responses in flight so a drain can mark them; see the file comment. */
export function installDrainer(app: FastifyInstance): Drainer {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  app.addHook('onRequest', (request, reply, done) => {
    const res = reply.raw;
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    done();
  });
  return {
    async drain(graceMs) {
      draining = true;
      // Node writes `Connection: close` and ends the socket after a response that does not
      // keep alive; one whose headers are out already is closed once idle by the sweep.
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      const server = app.server;
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
