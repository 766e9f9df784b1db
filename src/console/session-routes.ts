/**
 * Sign-in, the session and sign-out. Sign-in checks the keys as the S3 front end would: a
 * request signed with them (GET /riak-cs/user, the caller's own record) goes through the
 * same identification, so a wrong key, a wrong secret and a disabled user are refused alike.
 * The answer sets the session cookie and returns the CSRF token; the secret stays here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readUserByKey } from '../../stanchion/reader.js';
import { clearedCookie, sessionCookie } from './core/cookies.js';
import type { SessionUser } from './core/sessions.js';
import {
  ConsoleError,
  guarded,
  jsonBody,
  sendError,
  sendJson,
  textField,
  type ConsoleContext,
} from './context.js';
import { callAs } from './signed-call.js';

const KEY_ID = /^[A-Za-z0-9_+=.@-]{1,128}$/;
const SECRET = /^[\x21-\x7e]{1,256}$/;
const WRONG_KEYS = 'Wrong access key or secret, or the user is disabled.';

/** Adds /console/api/session: POST signs in, GET says who, DELETE signs out. */
export function registerSessionRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.post('/console/api/session', (request, reply) => signIn(ctx, request, reply));
  app.get(
    '/console/api/session',
    guarded(ctx, async (_ctx, session) => ({ user: session.user, csrfToken: session.csrfToken })),
  );
  app.delete('/console/api/session', async (request, reply) => {
    const answer = guarded(ctx, async (_ctx, session) => {
      ctx.sessions.close(session.id);
      return { signedOut: true };
    });
    await answer(request, reply);
    return reply.header('set-cookie', clearedCookie(ctx.secure));
  });
}

async function signIn(ctx: ConsoleContext, request: FastifyRequest, reply: FastifyReply) {
  try {
    const body = await jsonBody(request);
    const keyId = textField(body, 'accessKeyId', KEY_ID, 'The access key');
    const secret = textField(body, 'secretAccessKey', SECRET, 'The secret');
    refuseWhenLimited(ctx, request.ip, keyId);
    const user = await checkedUser(ctx, keyId, secret).catch((error: unknown) => {
      if (error instanceof ConsoleError && error.code === 'WrongKeys') {
        ctx.signIns.failed(request.ip, keyId);
      }
      throw error;
    });
    const session = ctx.sessions.open(user, secret);
    void reply.header(
      'set-cookie',
      sessionCookie(session.id, Math.floor(ctx.idleMs / 1000), ctx.secure),
    );
    return sendJson(reply, 200, { user, csrfToken: session.csrfToken });
  } catch (error) {
    return sendError(reply, error);
  }
}

/** Refuses a sign-in from an address or for a key that failed too often of late. */
function refuseWhenLimited(ctx: ConsoleContext, address: string, keyId: string): void {
  const refusal = ctx.signIns.check(address, keyId);
  if (!refusal) return;
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
  const who = refusal.reason === 'address' ? 'from this address' : 'with this access key';
  throw new ConsoleError(
    429,
    `Too many failed sign-ins ${who}: try again in ${seconds} s.`,
    'TooManySignIns',
    seconds,
  );
}

/** The user these keys sign as, or a refusal that does not say which part was wrong. */
async function checkedUser(ctx: ConsoleContext, keyId: string, secret: string) {
  const credentials = { accessKeyId: keyId, secretAccessKey: secret };
  const answer = await callAs(ctx.app, credentials, ctx.deps.config.region, ctx.deps.clock(), {
    method: 'GET',
    path: '/riak-cs/user',
    headers: { accept: 'application/json' },
  });
  if (answer.status === 403 || answer.status === 404) {
    throw new ConsoleError(403, WRONG_KEYS, 'WrongKeys');
  }
  if (answer.status !== 200) throw new ConsoleError(503, 'The store could not check the keys.');
  const record = await readUserByKey(ctx.deps.ring, keyId);
  if (!record || record.status !== 'enabled') throw new ConsoleError(403, WRONG_KEYS, 'WrongKeys');
  const user: SessionUser = {
    keyId: record.keyId,
    name: record.name,
    email: record.email,
    isAdmin: record.isAdmin,
  };
  return user;
}
