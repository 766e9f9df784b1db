/**
 * Users through the Riak CS admin API and cairn-admin, and a restart that keeps every
 * user, bucket and object and prints the same admin keys.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const run = promisify(execFile);
const started: CairnProcess[] = [];

async function start(...args: Parameters<typeof startCairn>) {
  const server = await startCairn(...args);
  started.push(server);
  return server;
}

afterAll(async () => {
  const errors = started.flatMap((server) => server.errorLogs());
  for (const server of started) await server.cleanup();
  expect(errors).toEqual([]);
});

function createUserBody(email: string, name: string) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name }),
  };
}

describe('POST /riak-cs/user', () => {
  it('creates a user when signed by the admin, answering Riak CS JSON', async () => {
    const server = await start();
    const res = await signedFetch(server.url, '/riak-cs/user', {
      ...createUserBody('alice@example.com', 'Alice'),
      credentials: server,
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as Record<string, string>;
    expect(user['key_id']).toMatch(/^[A-Z0-9]{20}$/);
    expect(user['key_secret']).toHaveLength(40);
    expect(user).toMatchObject({ email: 'alice@example.com', name: 'Alice', status: 'enabled' });
    expect(user['display_name']).toBe('alice');
    expect(typeof user['id']).toBe('string');
    const alice = s3Client(server, { keyId: user['key_id']!, secret: user['key_secret']! });
    const buckets = await alice.send(new ListBucketsCommand({}));
    expect(buckets.Buckets ?? []).toEqual([]);
    alice.destroy();

    const again = await signedFetch(server.url, '/riak-cs/user', {
      ...createUserBody('alice@example.com', 'Alice Again'),
      credentials: server,
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('<Code>UserAlreadyExists</Code>');

    const byAlice = await signedFetch(server.url, '/riak-cs/user', {
      ...createUserBody('mallory@example.com', 'Mallory'),
      credentials: { keyId: user['key_id']!, secret: user['key_secret']! },
    });
    expect(byAlice.status).toBe(403);

    const anonymous = await fetch(`${server.url}/riak-cs/user`, createUserBody('x@y.z', 'X'));
    expect(anonymous.status).toBe(403);

    for (const bad of ['{"email":"no-at-sign","name":"N"}', '{"email":"a@b.c"}', 'not json']) {
      const res = await signedFetch(server.url, '/riak-cs/user', {
        method: 'POST',
        body: bad,
        headers: { 'content-type': 'application/json' },
        credentials: server,
      });
      expect(res.status, bad).toBe(400);
    }
  });

  it('allows anonymous creation when anonymous_user_creation is on', async () => {
    const server = await start({ env: { CAIRN_ANONYMOUS_USER_CREATION: 'true' } });
    const res = await fetch(`${server.url}/riak-cs/user`, createUserBody('anon@example.com', 'A'));
    expect(res.status).toBe(201);
    const xml = await fetch(`${server.url}/riak-cs/user`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<User><Email>xml@example.com</Email><Name>X</Name></User>',
    });
    expect(xml.status).toBe(201);
  });

  it('cairn-admin user create works with env keys and with --data-dir', async () => {
    const server = await start();
    const env = {
      ...process.env,
      CAIRN_URL: server.url,
      AWS_ACCESS_KEY_ID: server.keyId,
      AWS_SECRET_ACCESS_KEY: server.secret,
    };
    const byEnv = await run(
      process.execPath,
      [ADMIN_JS, 'user', 'create', '--email', 'bob@example.com', '--name', 'Bob'],
      { env },
    );
    expect(byEnv.stdout).toMatch(/^AWS_ACCESS_KEY_ID=[A-Z0-9]{20}$/m);
    expect(byEnv.stdout).toMatch(/^AWS_SECRET_ACCESS_KEY=\S{40}$/m);
    const byDir = await run(process.execPath, [
      ADMIN_JS,
      '--url',
      server.url,
      '--data-dir',
      server.dataDir,
      'user',
      'create',
      '--email',
      'carol@example.com',
      '--name',
      'Carol',
    ]);
    expect(byDir.stdout).toContain('Created user Carol');
    const duplicate = run(
      process.execPath,
      [ADMIN_JS, 'user', 'create', '--email', 'bob@example.com', '--name', 'Bob'],
      { env },
    );
    await expect(duplicate).rejects.toMatchObject({
      stderr: expect.stringContaining('UserAlreadyExists'),
    });
  });
});

describe('restart', () => {
  it('keeps users, buckets and objects, and prints the same admin keys', async () => {
    const first = await start();
    const s3 = s3Client(first);
    await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'durable', Key: 'k', Body: 'kept across restarts' }),
    );
    const big = Buffer.alloc(2 * 1024 * 1024 + 5, 7);
    await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'big', Body: big }));
    s3.destroy();
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('SIGTERM: shutting down');

    const second = await start({ dataDir: first.dataDir });
    expect(second.keyId).toBe(first.keyId);
    expect(second.secret).toBe(first.secret);
    const again = s3Client(second);
    const buckets = await again.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['durable']);
    const got = await again.send(new GetObjectCommand({ Bucket: 'durable', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('kept across restarts');
    const gotBig = await again.send(new GetObjectCommand({ Bucket: 'durable', Key: 'big' }));
    expect(Buffer.from(await gotBig.Body!.transformToByteArray()).equals(big)).toBe(true);
    again.destroy();
  });
});
