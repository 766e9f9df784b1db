/**
 * POST /riak-cs/user with the admin-only identity fields (key_id, key_secret, id, status)
 * that `cairn-admin import` uses to bring a user across with its keys: only the admin may
 * send them, malformed values and collisions are refused with a clear error and change
 * nothing, and the user's old keys sign requests at once (or are refused when disabled).
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { codeOf } from '../helpers/s3-errors.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
useCairn({ buckets: [] }, (started) => ({ server } = started));

async function create(body: unknown, as?: { keyId: string; secret: string }, xml = false) {
  const res = await signedFetch(server.url, '/riak-cs/user', {
    method: 'POST',
    credentials: as ?? server,
    // Answers are JSON only when asked for (Riak CS answers XML to a request without Accept).
    headers: {
      'content-type': xml ? 'application/xml' : 'application/json',
      accept: 'application/json',
    },
    body: xml ? String(body) : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

function identity() {
  return {
    key_id: `IMPORTED${randomBytes(6).toString('hex').toUpperCase()}`,
    key_secret: randomBytes(30).toString('base64'),
    id: randomBytes(32).toString('hex'),
  };
}

async function listUsersText(): Promise<string> {
  return (await signedFetch(server.url, '/riak-cs/users', { credentials: server })).text();
}

describe('POST /riak-cs/user with a given identity', () => {
  it('creates the user with the keys, canonical id and status it is given', async () => {
    const given = identity();
    const made = await create({ email: 'kept@example.com', name: 'Kept', ...given });
    expect(made.status).toBe(201);
    expect(JSON.parse(made.text)).toMatchObject({ ...given, status: 'enabled' });
    const keys = { keyId: given.key_id, secret: given.key_secret };
    const listed = await s3Client(server, keys).send(new ListBucketsCommand({}));
    expect(listed.Owner?.ID).toBe(given.id);

    const off = identity();
    const disabled = await create({
      email: 'off@example.com',
      name: 'Off',
      ...off,
      status: 'disabled',
    });
    expect(JSON.parse(disabled.text)).toMatchObject({ key_id: off.key_id, status: 'disabled' });
    const refused = s3Client(server, { keyId: off.key_id, secret: off.key_secret });
    expect(await codeOf(refused.send(new ListBucketsCommand({})))).toBe('AccessDenied');
  });

  it('takes the same fields as XML', async () => {
    const given = identity();
    const body =
      `<User><Email>xml@example.com</Email><Name>Xml</Name><KeyId>${given.key_id}</KeyId>` +
      `<KeySecret>${given.key_secret}</KeySecret><Id>${given.id}</Id></User>`;
    const made = await create(body, undefined, true);
    expect(made.status).toBe(201);
    expect(JSON.parse(made.text)).toMatchObject(given);
  });

  it('refuses a key id or canonical id in use, naming which, and changes nothing', async () => {
    const first = identity();
    expect((await create({ email: 'one@example.com', name: 'One', ...first })).status).toBe(201);
    const sameKey = { ...identity(), key_id: first.key_id };
    const byKey = await create({ email: 'two@example.com', name: 'Two', ...sameKey });
    expect(byKey.status).toBe(409);
    expect(byKey.text).toContain('<Code>UserAlreadyExists</Code>');
    expect(byKey.text).toContain(`access key id ${first.key_id}`);
    const sameId = { ...identity(), id: first.id };
    const byId = await create({ email: 'three@example.com', name: 'Three', ...sameId });
    expect(byId.status).toBe(409);
    expect(byId.text).toContain(`canonical id ${first.id}`);
    const users = await listUsersText();
    expect(users).not.toContain('two@example.com');
    expect(users).not.toContain('three@example.com');
  });

  it('lets only the admin set them', async () => {
    const plain = JSON.parse(
      (await create({ email: 'plain@example.com', name: 'Plain' })).text,
    ) as { key_id: string; key_secret: string };
    const asUser = { keyId: plain.key_id, secret: plain.key_secret };
    const given = identity();
    const denied = await create({ email: 'sneaky@example.com', name: 'S', ...given }, asUser);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('<Code>AccessDenied</Code>');
    expect(await listUsersText()).not.toContain('sneaky@example.com');
  });

  it('refuses malformed values with InvalidArgument', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...identity(), key_id: 'has space' }, 'key_id'],
      [{ ...identity(), key_id: 'K'.repeat(129) }, 'key_id'],
      [{ ...identity(), key_secret: 'short' }, 'key_secret'],
      [{ ...identity(), key_secret: 'with space inside it' }, 'key_secret'],
      [{ ...identity(), id: 'ABC' }, 'id'],
      [{ ...identity(), status: 'maybe' }, 'status'],
      [{ key_id: identity().key_id }, 'together'],
      [{ ...identity(), key_id: 42 }, 'key_id'],
    ];
    for (const [fields, word] of cases) {
      const answer = await create({ email: 'bad@example.com', name: 'Bad', ...fields });
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.text).toContain('<Code>InvalidArgument</Code>');
      expect(answer.text).toContain(word);
    }
    expect(await listUsersText()).not.toContain('bad@example.com');
  });
});
