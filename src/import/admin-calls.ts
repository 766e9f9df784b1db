/**
 * The Riak CS admin API calls of an import: list the users with their secrets, read one,
 * create one with its own keys, canonical id and status (the admin-only fields of POST
 * /riak-cs/user), and set a user's status. All are signed with the admin's keys.
 */
import { uriEncode } from '../auth/request-parts.js';
import { sourceUserOf, type SourceUser } from './core/plan.js';
import { parseUsersAnswer } from './core/users-answer.js';
import type { Keys } from './s3-http.js';
import type { Store } from './store.js';

const USERS_BYTES_MAX = 256 * 1024 * 1024;

/** GET /riak-cs/users (admin): every user with its keys. */
export async function listUsers(
  store: Store,
  admin: Keys,
  retries?: number,
): Promise<SourceUser[]> {
  const answer = await store.call(
    admin,
    { method: 'GET', path: '/riak-cs/users', headers: { accept: 'application/json' } },
    'list users (GET /riak-cs/users)',
    { maxBytes: USERS_BYTES_MAX, ...(retries !== undefined ? { retries } : {}) },
  );
  return parseUsersAnswer(String(answer.headers['content-type'] ?? ''), answer.text);
}

/** GET /riak-cs/user/KEY (admin): the user, and its buckets when the store says. */
export async function getUser(store: Store, admin: Keys, keyId: string) {
  const answer = await store.call(
    admin,
    {
      method: 'GET',
      path: `/riak-cs/user/${uriEncode(keyId)}`,
      headers: { accept: 'application/json' },
    },
    `read user ${keyId}`,
    { accept: [404], maxBytes: 1024 * 1024 },
  );
  if (answer.status === 404) return undefined;
  const json = JSON.parse(answer.text) as Record<string, unknown>;
  const buckets = Array.isArray(json['buckets'])
    ? (json['buckets'] as Array<{ name?: unknown }>).map((b) => String(b.name))
    : undefined;
  return { user: sourceUserOf(json), buckets };
}

/** POST /riak-cs/user (admin) with the user's own keys, canonical id and status. */
export async function createUser(store: Store, admin: Keys, user: SourceUser): Promise<void> {
  const body = JSON.stringify({
    email: user.email,
    name: user.name,
    key_id: user.keyId,
    key_secret: user.secret,
    id: user.id,
    status: user.status,
  });
  await store.call(
    admin,
    {
      method: 'POST',
      path: '/riak-cs/user',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
    },
    `create user ${user.keyId}`,
    { retries: 0 },
  );
}

/** PUT /riak-cs/user/KEY {"status"} (admin). */
export async function setUserStatus(
  store: Store,
  admin: Keys,
  keyId: string,
  status: string,
): Promise<void> {
  await store.call(
    admin,
    {
      method: 'PUT',
      path: `/riak-cs/user/${uriEncode(keyId)}`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ status })),
    },
    `set user ${keyId} ${status}`,
  );
}
