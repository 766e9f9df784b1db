/**
 * The Riak CS admin API and cairn-admin's user commands against a real `cairn start`:
 * read, update, enable/disable and rekey users, list them, and who may do what. Also a
 * bucket deleted and created again (by someone else) shows none of the old objects.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { codeOf } from '../helpers/s3-errors.js';

const run = promisify(execFile);
let server: CairnProcess;
useCairn({ buckets: [] }, (started) => ({ server } = started));

type UserJson = { key_id: string; key_secret: string; status: string; email: string; id: string };
let alice: UserJson;
let bob: UserJson;

function keysOf(user: UserJson) {
  return { keyId: user.key_id, secret: user.key_secret };
}

/** A signed admin API call; JSON in and (by Accept) out unless `headers` say otherwise. */
async function call(
  method: string,
  path: string,
  as: { keyId: string; secret: string },
  body?: unknown,
  headers: Record<string, string> = { accept: 'application/json' },
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await signedFetch(server.url, path, {
    method,
    credentials: as,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: text } : {}),
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function admin(...args: string[]) {
  const env = { ...process.env, CAIRN_URL: server.url };
  return run(process.execPath, [ADMIN_JS, '--data-dir', server.dataDir, ...args], { env });
}

beforeAll(async () => {
  const make = async (email: string) =>
    JSON.parse((await call('POST', '/riak-cs/user', server, { email, name: email })).text);
  alice = await make('alice@example.com');
  bob = await make('bob@example.com');
});

describe('admin API: users', () => {
  it('shows a user to the admin and to itself, with its buckets; not to others', async () => {
    await s3Client(server, keysOf(alice)).send(new CreateBucketCommand({ Bucket: 'alices' }));
    const byAdmin = await call('GET', `/riak-cs/user/${alice.key_id}`, server);
    expect(byAdmin.status).toBe(200);
    expect(JSON.parse(byAdmin.text)).toMatchObject({
      key_id: alice.key_id,
      email: 'alice@example.com',
      buckets: [{ name: 'alices' }],
    });
    expect((await call('GET', `/riak-cs/user/${alice.key_id}`, keysOf(alice))).status).toBe(200);
    const byBob = await call('GET', `/riak-cs/user/${alice.key_id}`, keysOf(bob));
    expect(byBob.status).toBe(403);
    const missing = await call('GET', '/riak-cs/user/NOSUCHKEY0000000000', server);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<Code>NoSuchUser</Code>');
  });

  it('updates name and e-mail, keeps e-mails unique, refuses unknown fields', async () => {
    const renamed = await call('PUT', `/riak-cs/user/${bob.key_id}`, keysOf(bob), {
      name: 'Robert',
      email: 'robert@example.com',
    });
    expect(renamed.status).toBe(200);
    // Riak CS derives the display name from the e-mail, so it follows a new one.
    expect(JSON.parse(renamed.text)).toMatchObject({
      name: 'Robert',
      email: 'robert@example.com',
      display_name: 'robert',
    });
    const taken = await call('PUT', `/riak-cs/user/${bob.key_id}`, server, {
      email: 'alice@example.com',
    });
    expect(taken.status).toBe(409);
    const bad = await call('PUT', `/riak-cs/user/${bob.key_id}`, server, { admin: true });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Unknown field');
  });

  it('takes back a document it answered, unchanged read-only fields and all', async () => {
    const read = JSON.parse((await call('GET', `/riak-cs/user/${bob.key_id}`, server)).text);
    const back = await call('PUT', `/riak-cs/user/${bob.key_id}`, server, { ...read, name: 'Bob' });
    expect(back.status).toBe(200);
    expect(JSON.parse(back.text)).toMatchObject({ name: 'Bob', key_id: bob.key_id });
    const forged = await call('PUT', `/riak-cs/user/${bob.key_id}`, server, {
      ...read,
      key_secret: 'x'.repeat(40),
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('new_key_secret');
    const again = await call('GET', `/riak-cs/user/${bob.key_id}`, keysOf(bob));
    expect(JSON.parse(again.text).key_secret).toBe(bob.key_secret);
  });

  it("refuses a disabled user's requests until it is enabled again", async () => {
    const s3 = s3Client(server, keysOf(bob));
    expect(await codeOf(s3.send(new ListBucketsCommand({})))).toBe('ok');
    // As in Riak CS, a user may disable itself; only the admin enables it again.
    const own = await call('PUT', `/riak-cs/user/${bob.key_id}`, keysOf(bob), {
      status: 'disabled',
    });
    expect(JSON.parse(own.text)).toMatchObject({ status: 'disabled' });
    expect(await codeOf(s3.send(new ListBucketsCommand({})))).toBe('AccessDenied');
    await admin('user', 'enable', bob.key_id);
    await admin('user', 'disable', bob.key_id);
    expect(await codeOf(s3.send(new ListBucketsCommand({})))).toBe('AccessDenied');
    const listed = await admin('user', 'list', '--status', 'disabled');
    expect(listed.stdout).toContain(bob.key_id);
    expect(listed.stdout).not.toContain(alice.key_id);
    await admin('user', 'enable', bob.key_id);
    expect(await codeOf(s3.send(new ListBucketsCommand({})))).toBe('ok');
  });

  it('rekeys: the new secret works, the old one is refused, the key id stays', async () => {
    const { stdout } = await admin('user', 'rekey', alice.key_id);
    const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(stdout)![1]!;
    expect(stdout).toContain(`AWS_ACCESS_KEY_ID=${alice.key_id}`);
    expect(secret).not.toBe(alice.key_secret);
    const old = s3Client(server, keysOf(alice));
    expect(await codeOf(old.send(new ListBucketsCommand({})))).toBe('SignatureDoesNotMatch');
    const fresh = s3Client(server, { keyId: alice.key_id, secret });
    expect(await codeOf(fresh.send(new ListBucketsCommand({})))).toBe('ok');
    alice = { ...alice, key_secret: secret };
  });

  it('lists every user to the admin only (Riak CS multipart/mixed), and by status', async () => {
    const all = await call('GET', '/riak-cs/users', server);
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^multipart\/mixed; boundary=/);
    for (const key of [alice.key_id, bob.key_id, server.keyId]) expect(all.text).toContain(key);
    expect((await call('GET', '/riak-cs/users', keysOf(alice))).status).toBe(403);
    // Riak CS lists everyone for a status it does not know.
    const unknown = await call('GET', '/riak-cs/users?status=nope', server);
    for (const key of [alice.key_id, bob.key_id]) expect(unknown.text).toContain(key);
    const { stdout } = await admin('user', 'list');
    expect(stdout).toMatch(/^KEY ID\s+STATUS\s+EMAIL\s+NAME/);
    expect(stdout).toContain('3 user(s)');
    const shown = await admin('user', 'show', bob.key_id);
    expect(shown.stdout).toContain('robert@example.com');
  });

  it('cairn-admin says what is wrong and exits 1 on bad input', async () => {
    const failed = await admin('user', 'show', 'bad/key').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('not an access key id');
    const missing = await admin('user', 'enable', 'NOSUCHKEY0000000000').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((missing as { stderr: string }).stderr).toContain('NoSuchUser');
  });
});

describe('buckets: a name maps to an id', () => {
  it('shows an empty bucket after delete and re-create by another user', async () => {
    const a = s3Client(server, keysOf(alice));
    await a.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    await a.send(new PutObjectCommand({ Bucket: 'reborn', Key: 'old', Body: 'old bytes' }));
    await a.send(new DeleteObjectCommand({ Bucket: 'reborn', Key: 'old' }));
    await a.send(new DeleteBucketCommand({ Bucket: 'reborn' }));
    const b = s3Client(server, keysOf(bob));
    await b.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    const listed = await b.send(new ListObjectsV2Command({ Bucket: 'reborn' }));
    expect(listed.KeyCount).toBe(0);
    expect(await codeOf(a.send(new ListObjectsV2Command({ Bucket: 'reborn' })))).toBe(
      'AccessDenied',
    );
  });
});
