/**
 * /console/api/usage: the Usage page, from Riak CS's usage API as the signed-in user
 * (GET /riak-cs/usage/<key_id>/abj/<start>/<end>): storage samples over time and access
 * counts per operation. A user reads its own; the admin anyone's (the API decides).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Session } from './core/sessions.js';
import { callFor, ConsoleError, guarded, s3Failure, type ConsoleContext } from './context.js';

const KEY_ID = /^[A-Za-z0-9_+=.@-]{1,128}$/;
const STAMP = /^\d{8}T\d{6}Z$/;

/** Adds the usage route. */
export function registerUsageRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/console/api/usage', guarded(ctx, usage));
}

async function usage(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const query = request.query as Record<string, unknown>;
  const user = typeof query.user === 'string' ? query.user : session.user.keyId;
  const start = String(query.start ?? '');
  const end = String(query.end ?? '');
  if (!KEY_ID.test(user) || !STAMP.test(start) || !STAMP.test(end)) {
    throw new ConsoleError(
      400,
      'Give a user and a start and end (YYYYMMDDTHHMMSSZ).',
      'BadRequest',
    );
  }
  const answer = await callFor(ctx, session, {
    method: 'GET',
    path: `/riak-cs/usage/${user}/abj/${start}/${end}`,
    headers: { accept: 'application/json' },
  });
  if (answer.status !== 200) throw s3Failure(answer);
  return JSON.parse(answer.body) as unknown;
}
