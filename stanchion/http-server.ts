/**
 * Stanchion as its own process: the serializer behind one HTTP route, POST /command, that
 * front ends call with a Command and get its CommandResult. Needs the cluster cookie.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Command } from './core/commands.js';
import { StanchionUnavailableError, type StanchionServer } from './server.js';

/** The cookie header, the same as the storage nodes'. */
export const STANCHION_COOKIE_HEADER = 'x-cairn-cookie';

/** Builds stanchion's fastify app (it does not listen). */
export function buildStanchionHttp(server: StanchionServer, cookie: string): FastifyInstance {
  const app = Fastify({ logger: { level: process.env.CAIRN_LOG_LEVEL ?? 'warn' } });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/ping') return;
    if (request.headers[STANCHION_COOKIE_HEADER] !== cookie) {
      return reply.code(403).send({ error: 'wrong or missing cluster cookie' });
    }
  });
  app.get('/ping', async () => ({ role: 'active' }));
  app.post('/command', async (request, reply) => {
    try {
      return await server.execute(request.body as Command);
    } catch (error) {
      const status = error instanceof StanchionUnavailableError ? 503 : 500;
      return reply.code(status).send({ error: (error as Error).message });
    }
  });
  app.get('/status', async () => server.status());
  return app;
}
