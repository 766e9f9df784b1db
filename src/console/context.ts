/**
 * What every console route shares: the app it calls into, the sessions, and the guard that
 * turns a request into its session (refusing one without a live session, or a
 * state-changing one without the session's CSRF token). Answers are JSON, errors included,
 * each with a message a person can read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { S3Deps } from '../http/context.js';
import { clearedCookie, sessionIdOf } from './core/cookies.js';
import { csrfMatches, type Session, type SessionStore } from './core/sessions.js';
import type { SignInLimiter } from './core/sign-in-limiter.js';
import { callAs, type CallAnswer, type CallRequest } from './signed-call.js';

/** How the console reaches a storage node's admin interface (a cluster's `cairn s3`). */
export type NodeAdmin = (address: string, path: string, body?: unknown) => Promise<unknown>;

/** The console's world. */
export interface ConsoleContext {
  app: FastifyInstance;
  deps: S3Deps;
  sessions: SessionStore;
  /** Failed sign-ins, limited per client address and per access key. */
  signIns: SignInLimiter;
  /** Whether the S3 port speaks TLS (the cookie is then Secure). */
  secure: boolean;
  idleMs: number;
  /** A storage node to stage, plan and commit membership changes on; absent when embedded. */
  nodeAdmin?: NodeAdmin;
}

/** The header a state-changing call carries its CSRF token in. */
export const CSRF_HEADER = 'x-cairn-csrf';

/** A refusal or failure said to the page: its status and message. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'Refused',
    /** Seconds after which a refused client may try again (sent as Retry-After). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/** A handler of a signed-in call. */
export type ApiHandler = (
  ctx: ConsoleContext,
  session: Session,
  request: FastifyRequest,
) => Promise<unknown>;

/** Sends `body` as JSON with no caching. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(body ?? null));
}

/** Sends an error as `{error, message}`. */
export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof ConsoleError) {
    if (error.retryAfterSec !== undefined) {
      void reply.header('retry-after', String(error.retryAfterSec));
    }
    return sendJson(reply, error.status, { error: error.code, message: error.message });
  }
  reply.log.warn({ err: error }, 'console call failed');
  return sendJson(reply, 503, { error: 'Unavailable', message: 'The store could not answer.' });
}

/** The route handler for `handler`: session and CSRF checked first. */
export function guarded(ctx: ConsoleContext, handler: ApiHandler) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const session = ctx.sessions.touch(sessionIdOf(request.headers.cookie));
      if (!session) {
        void reply.header('set-cookie', clearedCookie(ctx.secure));
        throw new ConsoleError(401, 'Your session has ended: sign in again.', 'SignedOut');
      }
      const safe = request.method === 'GET' || request.method === 'HEAD';
      if (!safe && !csrfMatches(session, headerOf(request, CSRF_HEADER))) {
        throw new ConsoleError(403, 'The request lacks this session’s CSRF token.', 'BadCsrf');
      }
      return sendJson(reply, 200, await handler(ctx, session, request));
    } catch (error) {
      return sendError(reply, error);
    }
  };
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A request as the session's user, through the app. */
export function callFor(
  ctx: ConsoleContext,
  session: Session,
  request: CallRequest,
): Promise<CallAnswer> {
  const credentials = { accessKeyId: session.user.keyId, secretAccessKey: session.secret };
  return callAs(ctx.app, credentials, ctx.deps.config.region, ctx.deps.clock(), request);
}

const JSON_BODY_BYTES_MAX = 256 * 1024;

/** The request's JSON body (an object), read with a bound. */
export async function jsonBody(request: FastifyRequest): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > JSON_BODY_BYTES_MAX) throw new ConsoleError(413, 'The request is too large.');
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Said below, as for any body that is not an object.
  }
  throw new ConsoleError(400, 'The request body must be a JSON object.', 'BadRequest');
}

/** A string field of a body, checked against `pattern`; `what` names it in the refusal. */
export function textField(
  body: Record<string, unknown>,
  name: string,
  pattern: RegExp,
  what: string,
): string {
  const value = body[name];
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConsoleError(400, `${what} is missing or not valid.`, 'BadRequest');
  }
  return value;
}

const XML_ENTITIES: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
  '&amp;': '&',
};

/** XML text as it reads (the page renders it as text, never as markup). */
function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (entity) => XML_ENTITIES[entity]!);
}

/** The S3 error code and message of an XML error answer, as a ConsoleError. */
export function s3Failure(answer: CallAnswer): ConsoleError {
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(answer.body)?.[1] ?? 'Error';
  const escaped = /<Message>([^<]{1,500})<\/Message>/.exec(answer.body)?.[1];
  const message = escaped && unescapeXml(escaped);
  const status = answer.status >= 500 ? 503 : answer.status;
  return new ConsoleError(status, message ? `${code}: ${message}` : code, code);
}
