/**
 * Stanchion as its own process: POST /command takes a Command and answers its
 * CommandResult; a standby answers 503 so that clients move on to the active one.
 * GET /status and /ping tell the role. Everything but /ping needs the cluster cookie.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { loggerOptions } from '../ring/logging.js';
import type { Command } from './core/commands.js';
import { commandSecretRefusal, plainBox, type SecretBox } from './secret-box.js';
import { StanchionUnavailableError, type StanchionServer } from './server.js';

/** The cookie header, the same as the storage nodes'. */
export const STANCHION_COOKIE_HEADER = 'x-cairn-cookie';

/** Largest command body accepted, in bytes (a bucket policy is at most 20 KiB). */
const COMMAND_BYTES_MAX = 256 * 1024;

/**
 * Builds stanchion's fastify app (it does not listen). A user command whose secret `box`
 * cannot open (a front end with another key file) is refused with 400, never stored.
 */
export function buildStanchionHttp(
  server: StanchionServer,
  cookie: string,
  box: SecretBox = plainBox(),
): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(process.env.CAIRN_LOG_LEVEL ?? 'warn'),
    bodyLimit: COMMAND_BYTES_MAX,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/ping') return;
    if (request.headers[STANCHION_COOKIE_HEADER] !== cookie) {
      return reply.code(403).send({ error: 'wrong or missing cluster cookie' });
    }
  });
  app.get('/ping', async () => ({ role: server.currentRole }));
  app.post('/command', async (request, reply) => {
    const refusal = commandSecretRefusal(box, request.body as Command);
    if (refusal) {
      request.log.error(refusal);
      return reply.code(400).send({ error: refusal, role: server.currentRole });
    }
    try {
      return await server.execute(request.body as Command);
    } catch (error) {
      const status = error instanceof StanchionUnavailableError ? 503 : 500;
      if (status === 500) request.log.error({ err: error }, 'command failed');
      return reply.code(status).send({ error: (error as Error).message, role: server.currentRole });
    }
  });
  app.get('/status', async () => server.status());
  return app;
}
