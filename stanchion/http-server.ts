/**
 * Stanchion as its own process: POST /command takes a Command and answers its
 * CommandResult; a standby answers 503 so that clients move on to the active one.
 * GET /status and /ping tell the role; GET /changes answers front ends' caches
 * (core/change-feed.ts). Everything but /ping needs a request signed with the
 * cluster's key (ring/transport/internal-server.ts), over HTTPS with internal TLS.
 */
import type { FastifyInstance } from 'fastify';
import type { InternalSecurity } from '../ring/transport/internal-security.js';
import { buildInternalApp } from '../ring/transport/internal-server.js';
import type { LogPosition } from './core/change-feed.js';
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
  app.get('/changes', async (request, reply) => {
    const from = positionOf(request.query as Record<string, unknown>);
    if (!from) return reply.code(400).send({ error: 'epoch and seq must be whole numbers' });
    try {
      return server.changesSince(from);
    } catch (error) {
      return reply.code(503).send({ error: (error as Error).message, role: server.currentRole });
    }
  });
  return app;
}

/** The ?epoch=&seq= of GET /changes (seq -1: a front end that knows nothing yet). */
function positionOf(query: Record<string, unknown>): LogPosition | undefined {
  const epoch = Number(query['epoch']);
  const seq = Number(query['seq']);
  if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(seq)) return undefined;
  return { epoch, seq };
}
