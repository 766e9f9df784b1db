/**
 * The Riak CS user API. POST /riak-cs/user creates a user (admin-signed, or anonymous when
 * anonymous_user_creation is on); GET and PUT /riak-cs/user/<key_id> read and update one
 * (the admin, or the user itself; only the admin enables and disables); GET /riak-cs/users
 * lists them all (admin only, optionally ?status=). Answers are Riak CS's JSON (or XML when
 * asked for), so existing Riak CS tooling keeps working.
 */
import { Readable } from 'node:stream';
import type { Command } from '../../stanchion/core/commands.js';
import type { UserRecord } from '../../stanchion/core/records.js';
import { listUserBuckets, listUsers, readUserByKey } from '../../stanchion/reader.js';
import { newSecret, newUser } from '../../stanchion/users.js';
import { readSmallBody } from '../s3/body.js';
import type { RequestContext } from '../s3/context.js';
import { S3Error } from '../s3/errors.js';
import { checkEmail, checkName, parseUserUpdate, userFields } from './user-body.js';
import { importedIdentity, withIdentity } from './user-import-fields.js';
import { userJson, userXml } from './user-render.js';

const USER_BODY_BYTES_MAX = 16 * 1024;
const USERS_PAGE_SIZE = 1000;

/** POST /riak-cs/user */
export async function createUserRoute(ctx: RequestContext): Promise<void> {
  const allowed = ctx.user ? ctx.user.isAdmin : ctx.deps.config.anonymousUserCreation;
  if (!allowed) throw new S3Error('AccessDenied');
  const body = await readSmallBody(ctx, USER_BODY_BYTES_MAX);
  const fields = userFields(body, String(ctx.request.headers['content-type'] ?? ''));
  const identity = importedIdentity(fields, ctx.user?.isAdmin === true);
  const fresh = newUser(ctx.deps, checkEmail(fields['email']), checkName(fields['name']), false);
  const user = withIdentity(fresh, identity);
  const result = await execute(ctx, { type: 'create-user', user });
  sendUser(ctx, 201, result, []);
}

/** GET /riak-cs/user/<key_id> */
export async function getUserRoute(ctx: RequestContext, keyId: string): Promise<void> {
  const user = await visibleUser(ctx, keyId);
  const buckets = await listUserBuckets(ctx.deps.ring, user.id);
  sendUser(
    ctx,
    200,
    user,
    buckets.map((b) => b.name),
  );
}

/** PUT /riak-cs/user/<key_id> */
export async function updateUserRoute(ctx: RequestContext, keyId: string): Promise<void> {
  const user = await visibleUser(ctx, keyId);
  const body = await readSmallBody(ctx, USER_BODY_BYTES_MAX);
  const update = parseUserUpdate(userFields(body, String(ctx.request.headers['content-type'])));
  if (update.status !== undefined && !ctx.user!.isAdmin) {
    throw new S3Error('AccessDenied', 'Only the admin enables and disables users.');
  }
  const { newKeySecret, ...changes } = update;
  const command: Command = {
    type: 'update-user',
    keyId: user.keyId,
    changes: { ...changes, ...(newKeySecret ? { secret: newSecret(ctx.deps) } : {}) },
  };
  const updated = await execute(ctx, command);
  const buckets = await listUserBuckets(ctx.deps.ring, updated.id);
  sendUser(
    ctx,
    200,
    updated,
    buckets.map((b) => b.name),
  );
}

/** GET /riak-cs/users: Riak CS's multipart/mixed answer, one JSON array per page. */
export async function listUsersRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const status = ctx.query.get('status');
  if (status !== null && status !== 'enabled' && status !== 'disabled') {
    throw new S3Error('InvalidArgument', 'status must be enabled or disabled.');
  }
  const ring = ctx.deps.ring;
  const boundary = ctx.deps.randomBytes(12).toString('hex');
  async function* parts() {
    let after: string | undefined;
    for (;;) {
      const page = await listUsers(ring, after, USERS_PAGE_SIZE);
      const shown = page.filter((u) => status === null || u.status === status);
      const json = JSON.stringify(shown.map((u) => userJson(u, [])));
      yield `--${boundary}\r\ncontent-type: application/json\r\n\r\n${json}\r\n`;
      if (page.length < USERS_PAGE_SIZE) break;
      after = page.at(-1)!.keyId;
    }
    yield `--${boundary}--\r\n`;
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

/** The user `keyId` names, if the caller may see it (the admin, or the user itself). */
async function visibleUser(ctx: RequestContext, keyId: string): Promise<UserRecord> {
  if (!ctx.user) throw new S3Error('AccessDenied');
  if (!ctx.user.isAdmin && ctx.user.keyId !== keyId) throw new S3Error('AccessDenied');
  const user = await readUserByKey(ctx.deps.ring, keyId);
  if (!user) throw new S3Error('NoSuchUser');
  return user;
}

async function execute(ctx: RequestContext, command: Command): Promise<UserRecord> {
  const result = await ctx.deps.stanchion.execute(command);
  if (result.ok && result.user) return result.user;
  if (result.ok) throw new Error('stanchion answered a user command without the user');
  if (result.code === 'UserAlreadyExists' || result.code === 'NoSuchUser') {
    throw new S3Error(result.code, result.detail);
  }
  throw new S3Error('InvalidArgument', result.detail);
}

function sendUser(ctx: RequestContext, status: number, user: UserRecord, buckets: string[]) {
  const accept = String(ctx.request.headers.accept ?? '');
  if (accept.includes('xml') && !accept.includes('json')) {
    void ctx.reply.code(status).header('content-type', 'application/xml').send(userXml(user));
    return;
  }
  void ctx.reply
    .code(status)
    .header('content-type', 'application/json')
    .send(userJson(user, buckets));
}
