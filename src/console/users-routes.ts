/**
 * /console/api/users: the Users page, over the Riak CS admin API as the signed-in user. The
 * admin lists every user and creates, disables, enables and rekeys them; a user sees only
 * itself. A secret is returned only by the call that made it (shown once); lists never
 * carry one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Session } from './core/sessions.js';
import {
  callFor,
  ConsoleError,
  guarded,
  jsonBody,
  s3Failure,
  textField,
  type ConsoleContext,
} from './context.js';

/** A user as the page shows it. */
interface UserRow {
  keyId: string;
  name: string;
  email: string;
  status: string;
  id: string;
  /** Only in the answer that created it or made a new one. */
  secret?: string;
}

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };
const KEY_ID = /^[A-Za-z0-9_+=.@-]{1,128}$/;

/** Adds the users routes. */
export function registerUsersRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/console/api/users', guarded(ctx, listUsers));
  app.post('/console/api/users', guarded(ctx, createUser));
  app.put('/console/api/users/:keyId', guarded(ctx, updateUser));
}

async function listUsers(ctx: ConsoleContext, session: Session): Promise<UserRow[]> {
  const path = session.user.isAdmin ? '/riak-cs/users' : '/riak-cs/user';
  const answer = await callFor(ctx, session, { method: 'GET', path, headers: JSON_HEADERS });
  if (answer.status !== 200) throw s3Failure(answer);
  if (!session.user.isAdmin) return [rowOf(JSON.parse(answer.body), false)];
  return usersOfMultipart(answer.body).map((u) => rowOf(u, false));
}

async function createUser(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const body = await jsonBody(request);
  const name = textField(body, 'name', /^[^\x00-\x1f]{1,200}$/, 'The name');
  const email = textField(body, 'email', /^[^\s@]{1,200}@[^\s@]{1,200}$/, 'The e-mail address');
  const answer = await callFor(ctx, session, {
    method: 'POST',
    path: '/riak-cs/user',
    headers: JSON_HEADERS,
    body: JSON.stringify({ name, email }),
  });
  if (answer.status !== 201 && answer.status !== 200) throw s3Failure(answer);
  return rowOf(JSON.parse(answer.body), true);
}

async function updateUser(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const keyId = (request.params as { keyId?: string }).keyId ?? '';
  if (!KEY_ID.test(keyId)) throw new ConsoleError(400, 'Not an access key.', 'BadRequest');
  const body = await jsonBody(request);
  const change: Record<string, unknown> = {};
  if (body.status === 'enabled' || body.status === 'disabled') change.status = body.status;
  if (body.newSecret === true) change.new_key_secret = true;
  if (Object.keys(change).length === 0) {
    throw new ConsoleError(400, 'Give a status or ask for a new secret.', 'BadRequest');
  }
  const answer = await callFor(ctx, session, {
    method: 'PUT',
    path: `/riak-cs/user/${keyId}`,
    headers: JSON_HEADERS,
    body: JSON.stringify(change),
  });
  if (answer.status !== 200) throw s3Failure(answer);
  const row = rowOf(JSON.parse(answer.body), change.new_key_secret === true);
  afterUpdate(ctx, session, row);
  return row;
}

/** Sessions follow the change: a disabled or rekeyed user's other sessions end. */
function afterUpdate(ctx: ConsoleContext, session: Session, row: UserRow): void {
  const own = row.keyId === session.user.keyId;
  if (row.secret !== undefined || row.status === 'disabled') ctx.sessions.closeUser(row.keyId);
  if (own && row.secret !== undefined && row.status === 'enabled') {
    // This browser stays signed in with the new secret; the old one no longer signs.
    session.secret = row.secret;
    ctx.sessions.adopt(session);
  }
}

/** The JSON arrays of GET /riak-cs/users's multipart/mixed answer, flattened. */
export function usersOfMultipart(text: string): unknown[] {
  const users: unknown[] = [];
  for (const part of text.split(/\r\n--[0-9a-f]+(?:--)?/)) {
    const start = part.indexOf('\r\n\r\n');
    if (start < 0) continue;
    const doc: unknown = JSON.parse(part.slice(start + 4));
    if (Array.isArray(doc)) users.push(...(doc as unknown[]));
  }
  return users;
}

function rowOf(raw: unknown, withSecret: boolean): UserRow {
  const u = raw as Record<string, string>;
  const row: UserRow = {
    keyId: String(u.key_id),
    name: String(u.name),
    email: String(u.email),
    status: String(u.status),
    id: String(u.id),
  };
  if (withSecret) row.secret = String(u.key_secret);
  return row;
}
