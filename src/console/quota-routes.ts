/**
 * /console/api/quota/(user|bucket)/NAME: the Quotas page, over the admin API's quota
 * endpoints (docs/quotas.md) signed as the signed-in user, so the admin API decides who may
 * do what: the admin reads and changes every quota, a user reads its own and its buckets'
 * and is refused a change (AccessDenied). Values go to the admin API as the admin typed
 * them; its refusal of a bad one ("cannot be negative", "not a size") is shown as it said it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Session } from './core/sessions.js';
import {
  callFor,
  ConsoleError,
  guarded,
  jsonBody,
  s3Failure,
  type ConsoleContext,
} from './context.js';

const KEY_ID = /^[A-Za-z0-9_+=.@-]{1,128}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,62}$/;
/** A typed value: digits, a decimal point, a unit, a sign (refused by the admin API). */
const VALUE_CHARS_MAX = 64;
const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

/** Adds the quota routes. */
export function registerQuotaRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/console/api/quota/:kind/:name', guarded(ctx, readQuota));
  app.put('/console/api/quota/:kind/:name', guarded(ctx, setQuota));
  app.delete('/console/api/quota/:kind/:name', guarded(ctx, clearQuota));
}

/** The admin API path of the quota a request names, checked. */
function quotaPath(request: FastifyRequest): string {
  const { kind, name } = request.params as { kind?: string; name?: string };
  if (kind === 'user' && KEY_ID.test(name ?? '')) return `/riak-cs/quota/user/${name}`;
  if (kind === 'bucket' && BUCKET.test(name ?? '')) return `/riak-cs/quota/bucket/${name}`;
  throw new ConsoleError(400, 'Not a user or bucket quota.', 'BadRequest');
}

async function readQuota(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const path = quotaPath(request);
  const answer = await callFor(ctx, session, { method: 'GET', path, headers: JSON_HEADERS });
  if (answer.status !== 200) throw s3Failure(answer);
  return JSON.parse(answer.body) as unknown;
}

async function setQuota(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const path = quotaPath(request);
  const body = await jsonBody(request);
  const quota = { max_bytes: limitOf(body.maxBytes), max_objects: limitOf(body.maxObjects) };
  const answer = await callFor(ctx, session, {
    method: 'PUT',
    path,
    headers: JSON_HEADERS,
    body: JSON.stringify(quota),
  });
  if (answer.status !== 200) throw s3Failure(answer);
  return JSON.parse(answer.body) as unknown;
}

async function clearQuota(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const path = quotaPath(request);
  const answer = await callFor(ctx, session, { method: 'DELETE', path, headers: JSON_HEADERS });
  if (answer.status !== 200) throw s3Failure(answer);
  return JSON.parse(answer.body) as unknown;
}

/** A limit as typed: empty or null removes it; text is passed on for the admin API to judge. */
function limitOf(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.length > VALUE_CHARS_MAX) {
    throw new ConsoleError(
      400,
      'A limit is a number, a size such as 10GiB, or empty.',
      'BadRequest',
    );
  }
  return value.trim() === '' ? null : value.trim();
}
