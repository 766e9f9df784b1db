/**
 * The Riak CS user API, as riak_cs_wm_user and riak_cs_wm_users answered it:
 * - POST or PUT /riak-cs/user creates a user (the admin, or anyone when anonymous user
 *   creation is on); the answer has the request body's format; POST says 201, PUT 200.
 * - GET /riak-cs/user is the caller's own record; GET and PUT /riak-cs/user/<key_id> read
 *   and update one (the admin, or the user itself; only the admin re-enables a user).
 * - GET /riak-cs/users lists every user (admin only, ?status=enabled|disabled), as
 *   multipart/mixed pages.
 * Bodies are JSON or XML by Content-Type; answers by Accept, XML first as in Riak CS.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Command } from '../../stanchion/core/commands.js';
import { openUser, sealUser, secretsOf, type OpenUser } from '../../stanchion/secret-box.js';
import { listUserBuckets, listUsers, readUserByKey } from '../../stanchion/reader.js';
import { newSecret, newUser } from '../../stanchion/users.js';
import { readSmallBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { answerFormat, bodyFormat, type AdminFormat } from './negotiate.js';
import { parseUserCreate, parseUserUpdate, userFields } from './user-body.js';
import { importedIdentity, withIdentity } from './user-import-fields.js';
import { userJson, usersXml, userXml } from './user-render.js';

const USER_BODY_BYTES_MAX = 16 * 1024;
const USERS_PAGE_SIZE = 1000;

/** POST and PUT /riak-cs/user */
export async function createUserRoute(ctx: RequestContext): Promise<void> {
  const allowed = ctx.user ? ctx.user.isAdmin : ctx.deps.config.anonymousUserCreation;
  if (!allowed) throw new S3Error('AccessDenied');
  const format = requestFormat(ctx);
  const body = await readSmallBody(ctx, USER_BODY_BYTES_MAX);
  const fields = userFields(body, format);
  const identity = importedIdentity(fields, ctx.user?.isAdmin === true);
  const { email, name } = parseUserCreate(fields);
  const user = withIdentity(newUser(ctx.deps, email, name, false), identity);
  const sealed = sealUser(secretsOf(ctx.deps), user);
  const created = await execute(ctx, { type: 'create-user', user: sealed });
  sendUser(ctx, ctx.request.method === 'POST' ? 201 : 200, created, replyFormat(ctx, format), []);
}

/** GET /riak-cs/user and GET /riak-cs/user/<key_id> */
export async function getUserRoute(ctx: RequestContext, keyId: string): Promise<void> {
  const format = acceptedFormat(ctx);
  const user = await visibleUser(ctx, keyId || ctx.user?.keyId || '');
  const buckets = await listUserBuckets(ctx.deps.ring, user.id);
  sendUser(
    ctx,
    200,
    user,
    format,
    buckets.map((b) => b.name),
  );
}

/** PUT /riak-cs/user/<key_id> */
export async function updateUserRoute(ctx: RequestContext, keyId: string): Promise<void> {
  const user = await visibleUser(ctx, keyId);
  const format = requestFormat(ctx);
  const body = await readSmallBody(ctx, USER_BODY_BYTES_MAX);
  const update = parseUserUpdate(userFields(body, format), user);
  if (update.status === 'enabled' && user.status !== 'enabled' && !ctx.user!.isAdmin) {
    throw new S3Error('AccessDenied', 'Only the admin enables users.');
  }
  const { newKeySecret, ...changes } = update;
  const command: Command = {
    type: 'update-user',
    keyId: user.keyId,
    changes: {
      ...changes,
      ...(changes.email ? { displayName: changes.email.split('@')[0]! } : {}),
      ...(newKeySecret
        ? { secret: secretsOf(ctx.deps).seal(user.keyId, newSecret(ctx.deps)) }
        : {}),
    },
  };
  const updated = await execute(ctx, command);
  const buckets = await listUserBuckets(ctx.deps.ring, updated.id);
  sendUser(
    ctx,
    200,
    updated,
    replyFormat(ctx, format),
    buckets.map((b) => b.name),
  );
}

/** GET /riak-cs/users: multipart/mixed, one JSON array or <Users> document per page. */
export async function listUsersRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const format = acceptedFormat(ctx);
  // Riak CS lists every user for a status it does not know.
  const asked = ctx.query.get('status');
  const status = asked === 'enabled' || asked === 'disabled' ? asked : undefined;
  const ring = ctx.deps.ring;
  const boundary = ctx.deps.randomBytes(12).toString('hex');
  const type = format === 'xml' ? 'application/xml' : 'application/json';
  async function* parts() {
    let after: string | undefined;
    for (;;) {
      const page = await listUsers(ring, after, USERS_PAGE_SIZE);
      const shown = page
        .filter((u) => status === undefined || u.status === status)
        .map((u) => openUser(secretsOf(ctx.deps), u));
      const doc =
        format === 'xml' ? usersXml(shown) : JSON.stringify(shown.map((u) => userJson(u)));
      yield `\r\n--${boundary}\r\nContent-Type: ${type}\r\n\r\n${doc}`;
      if (page.length < USERS_PAGE_SIZE) break;
      after = page.at(-1)!.keyId;
    }
    yield `\r\n--${boundary}--`;
  }
  // The first page is read before answering, so a ring failure is still a clean 503.
  const iterator = parts();
  const first = await iterator.next();
  async function* all() {
    if (!first.done) yield first.value;
    yield* iterator;
  }
  void ctx.reply
    .code(200)
    .header('content-type', `multipart/mixed; boundary=${boundary}`)
    .send(Readable.from(all()));
}

function requestFormat(ctx: RequestContext): AdminFormat {
  const format = bodyFormat(ctx.request.headers['content-type']);
  if (!format) {
    const given = ctx.request.headers['content-type'] ?? 'none';
    throw new S3Error(
      'UnsupportedMediaType',
      `Content-Type ${given} is not accepted: send application/json or application/xml.`,
    );
  }
  return format;
}

/**
 * The answer to a request with a body: what Accept asks for, and without a preference (no
 * Accept, or `*\/*` as curl sends) the body's own format, as Riak CS answered.
 */
function replyFormat(ctx: RequestContext, bodyFormat: AdminFormat): AdminFormat {
  const provided: AdminFormat[] = bodyFormat === 'xml' ? ['xml', 'json'] : ['json', 'xml'];
  const format = answerFormat(ctx.request.headers.accept, provided);
  if (!format) throw new S3Error('NotAcceptable', 'Accept application/xml or application/json.');
  return format;
}

function acceptedFormat(ctx: RequestContext): AdminFormat {
  const format = answerFormat(ctx.request.headers.accept);
  if (!format) throw new S3Error('NotAcceptable', 'Accept application/xml or application/json.');
  return format;
}

/** The user `keyId` names, if the caller may see it (the admin, or the user itself). */
async function visibleUser(ctx: RequestContext, keyId: string): Promise<OpenUser> {
  if (!ctx.user) throw new S3Error('AccessDenied');
  if (!ctx.user.isAdmin && ctx.user.keyId !== keyId) throw new S3Error('AccessDenied');
  const user = await readUserByKey(ctx.deps.ring, keyId);
  if (!user) throw new S3Error('NoSuchUser');
  return openUser(secretsOf(ctx.deps), user);
}

/** Runs a user command; the user it answers, its secret opened for the answer. */
async function execute(ctx: RequestContext, command: Command): Promise<OpenUser> {
  const result = await ctx.deps.stanchion.execute(command);
  if (result.ok && result.user) return openUser(secretsOf(ctx.deps), result.user);
  if (result.ok) throw new Error('stanchion answered a user command without the user');
  if (result.code === 'UserAlreadyExists' || result.code === 'NoSuchUser') {
    throw new S3Error(result.code, result.detail);
  }
  throw new S3Error('InvalidArgument', result.detail);
}

function sendUser(
  ctx: RequestContext,
  status: number,
  user: OpenUser,
  format: AdminFormat,
  buckets: string[],
) {
  const body = format === 'xml' ? userXml(user) : JSON.stringify(userJson(user, buckets));
  // Riak CS tagged a user document with its MD5, as an object; `s3cmd get
  // s3://riak-cs/user -`, which its documentation shows, reads it as one: ETag and
  // Last-Modified (the document is made now).
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  void ctx.reply
    .code(status)
    .header('content-type', format === 'xml' ? 'application/xml' : 'application/json')
    .header('etag', etag)
    .header('last-modified', new Date(ctx.deps.clock()).toUTCString())
    .send(body);
}
