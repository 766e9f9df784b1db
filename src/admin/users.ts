/**
 * The Riak CS user API: POST /riak-cs/user creates a user from JSON or XML {email, name},
 * signed by the admin like any S3 request, or anonymously when anonymous_user_creation is
 * on. The answer is Riak CS's JSON, so existing Riak CS tooling keeps working.
 */
import type { UserRecord } from '../../stanchion/core/records.js';
import { newUser } from '../../stanchion/users.js';
import { readSmallBody } from '../s3/body.js';
import type { RequestContext } from '../s3/context.js';
import { S3Error } from '../s3/errors.js';
import { parseRequestXml } from '../s3/xml.js';

const USER_BODY_BYTES_MAX = 16 * 1024;

/** POST /riak-cs/user */
export async function createUserRoute(ctx: RequestContext): Promise<void> {
  const allowed = ctx.user ? ctx.user.isAdmin : ctx.deps.config.anonymousUserCreation;
  if (!allowed) throw new S3Error('AccessDenied');
  const body = await readSmallBody(ctx, USER_BODY_BYTES_MAX);
  const { email, name } = parseUserBody(body, String(ctx.request.headers['content-type'] ?? ''));
  const user = newUser(ctx.deps, email, name, false);
  const result = await ctx.deps.stanchion.execute({ type: 'create-user', user });
  if (!result.ok) {
    throw result.code === 'UserAlreadyExists'
      ? new S3Error('UserAlreadyExists')
      : new S3Error('InvalidArgument', result.detail);
  }
  void ctx.reply.code(201).header('content-type', 'application/json').send(userJson(user));
}

/** Riak CS's JSON shape of a user. */
export function userJson(user: UserRecord): Record<string, unknown> {
  return {
    email: user.email,
    display_name: user.displayName,
    name: user.name,
    key_id: user.keyId,
    key_secret: user.secret,
    id: user.id,
    status: user.status,
    buckets: [],
  };
}

function parseUserBody(body: Buffer, contentType: string): { email: string; name: string } {
  const text = body.toString('utf8');
  let fields: Record<string, unknown>;
  if (contentType.includes('xml') || text.trimStart().startsWith('<')) {
    const doc = parseRequestXml(text)['User'];
    if (typeof doc !== 'object' || doc === null) throw new S3Error('MalformedXML');
    const user = doc as Record<string, unknown>;
    fields = { email: user['Email'], name: user['Name'] };
  } else {
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new S3Error('InvalidArgument', 'The request body is not valid JSON.');
    }
  }
  const email = fields?.['email'];
  const name = fields?.['name'];
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 254) {
    throw new S3Error('InvalidArgument', 'A valid "email" is required.');
  }
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256) {
    throw new S3Error('InvalidArgument', 'A non-empty "name" is required.');
  }
  return { email, name };
}
