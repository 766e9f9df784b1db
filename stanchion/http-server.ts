/**
 * Stanchion as its own process: POST /command takes a Command and answers its
 * CommandResult; a standby answers 503 so that clients move on to the active one.
 * GET /status and /ping tell the role. Everything but /ping needs a request signed with the
 * cluster's key (ring/transport/internal-server.ts), over HTTPS with internal TLS.
 */
import type { FastifyInstance } from 'fastify';
import type { InternalSecurity } from '../ring/transport/internal-security.js';
import { buildInternalApp } from '../ring/transport/internal-server.js';
import type { Command } from './core/commands.js';
import { commandSecretRefusal, plainBox, type SecretBox } from './secret-box.js';
import { StanchionUnavailableError, type StanchionServer } from './server.js';

/** Largest command body accepted, in bytes (a bucket policy is at most 20 KiB). */
const COMMAND_BYTES_MAX = 256 * 1024;

/**
 * Builds stanchion's fastify app (it does not listen). A user command whose secret `box`
 * cannot open (a front end with another key file) is refused with 400, never stored.
 */
export function buildStanchionHttp(
  server: StanchionServer,
  security: InternalSecurity,
  box: SecretBox = plainBox(),
): FastifyInstance {
  const app = buildInternalApp(security, {
    openPaths: ['/ping'],
    bodyBytesMax: COMMAND_BYTES_MAX,
    logLevel: process.env.CAIRN_LOG_LEVEL ?? 'warn',
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
