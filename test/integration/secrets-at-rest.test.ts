/**
 * Users' secret keys at rest, in the embedded store. Without --secret-key-file every secret
 * is in the data dir in the clear (the documented trade-off; the byte scan below finds
 * them, which shows it can). With one, no file under the data dir holds any secret (the
 * admin's, created, imported and rekeyed users'), a copy of the data dir starts with no key
 * or another key only to refuse, and cairn-admin --data-dir needs the key file too.
 * `cairn rekey-secrets` seals a store that had no key, and moves a sealed one to a new key:
 * users authenticate with the same keys afterwards, and nothing on disk is sealed under the
 * old key any more, so the old key opens nothing.
 */
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTag } from '../../stanchion/core/secret-seal.js';
import { ADMIN_JS, MAIN_JS, startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { findInFiles } from '../helpers/data-dir-scan.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const run = promisify(execFile);
let work: string;
const keys: Record<string, { path: string; tag: string }> = {};
const started: CairnProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cairn-secrets-'));
  await mkdir(join(work, 'keys'), { mode: 0o700 });
  for (const name of ['a', 'b', 'c']) {
    const key = randomBytes(32);
    const path = join(work, 'keys', `${name}.key`);
    await writeFile(path, key, { mode: 0o600 });
    keys[name] = { path, tag: keyTag(key) };
  }
});
afterAll(async () => {
  for (const server of started) await server.cleanup({ keepData: true });
  if (work) await rm(work, { recursive: true, force: true });
});

async function start(dataDir: string, keyFile?: string): Promise<CairnProcess> {
  const args = keyFile ? ['--secret-key-file', keyFile] : [];
  const server = await startCairn({ dataDir, args });
  started.push(server);
  return server;
}

interface Secrets {
  admin: string;
  made: { keyId: string; secret: string };
  imported: { keyId: string; secret: string };
  rekeyedFrom: string;
}

async function admin(server: CairnProcess, method: string, path: string, body: unknown) {
  const res = await signedFetch(server.url, path, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: server,
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as { key_id: string; key_secret: string };
}

/** Users made, imported (admin-only key fields) and rekeyed; a bucket and an object. */
async function writeUsers(server: CairnProcess): Promise<Secrets> {
  const made = await admin(server, 'POST', '/riak-cs/user', { email: 'm@x.io', name: 'm' });
  const imported = {
    keyId: 'IMPORTEDKEY000000001',
    secret: `imported/${randomBytes(12).toString('base64')}`,
  };
  await admin(server, 'POST', '/riak-cs/user', {
    email: 'i@x.io',
    name: 'i',
    key_id: imported.keyId,
    key_secret: imported.secret,
  });
  const rekeyed = await admin(server, 'PUT', `/riak-cs/user/${made.key_id}`, {
    new_key_secret: true,
  });
  const s3 = s3Client(server, imported);
  await s3.send(new CreateBucketCommand({ Bucket: 'sealed' }));
  await s3.send(new PutObjectCommand({ Bucket: 'sealed', Key: 'k', Body: 'body' }));
  s3.destroy();
  return {
    admin: server.secret,
    made: { keyId: made.key_id, secret: rekeyed.key_secret },
    imported,
    rekeyedFrom: made.key_secret,
  };
}

const allSecrets = (s: Secrets) => [s.admin, s.made.secret, s.imported.secret, s.rekeyedFrom];

/** Whether each user's keys authenticate (ListBuckets), and the imported user's object. */
async function authenticates(server: CairnProcess, s: Secrets): Promise<boolean[]> {
  const users = [s.made, s.imported, { keyId: s.made.keyId, secret: s.rekeyedFrom }];
  const answers = await Promise.all(
    users.map(async (user) => {
      const s3 = s3Client(server, user);
      try {
        await s3.send(new ListBucketsCommand({}));
        return true;
      } catch {
        return false;
      } finally {
        s3.destroy();
      }
    }),
  );
  const s3 = s3Client(server, s.imported);
  const got = await s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'k' }));
  expect(await got.Body!.transformToString()).toBe('body');
  s3.destroy();
  return answers;
}

async function cairn(...args: string[]): Promise<string> {
  return (await run(process.execPath, [MAIN_JS, ...args], { timeout: 60_000 })).stdout;
}

describe('secrets at rest: the embedded store', () => {
  let sealedDir: string;
  let sealed: Secrets;

  it('without a key file, a copy holds every secret; rekey-secrets seals them', async () => {
    const dataDir = join(work, 'plain');
    const server = await start(dataDir);
    const secrets = await writeUsers(server);
    expect(await server.stop()).toBe(0);
    const found = await findInFiles(dataDir, allSecrets(secrets));
    expect(Object.keys(found).sort()).toEqual(allSecrets(secrets).sort());

    const out = await cairn(
      'rekey-secrets',
      '--data-dir',
      dataDir,
      '--new-secret-key-file',
      keys['a']!.path,
    );
    expect(out).toContain(`re-sealed under key ${keys['a']!.tag} (was no key)`);
    expect(await findInFiles(dataDir, allSecrets(secrets))).toEqual({});

    const after = await start(dataDir, keys['a']!.path);
    expect(after.secret).toBe(secrets.admin);
    expect(await authenticates(after, secrets)).toEqual([true, true, false]);
    expect(await after.stop()).toBe(0);
  });

  it('with a key file, no secret is stored in the clear and a copy opens nothing', async () => {
    sealedDir = join(work, 'sealed');
    const server = await start(sealedDir, keys['b']!.path);
    sealed = await writeUsers(server);
    expect(await authenticates(server, sealed)).toEqual([true, true, false]);
    const listing = (extra: string[]) =>
      run(
        process.execPath,
        [ADMIN_JS, '--url', server.url, '--data-dir', sealedDir, ...extra, 'user', 'list'],
        {
          env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
        },
      );
    await expect(listing([])).rejects.toThrow(
      /admin's secret sealed: give the store's --secret-key-file/,
    );
    expect((await listing(['--secret-key-file', keys['b']!.path])).stdout).toContain('m@x.io');
    expect(await server.stop()).toBe(0);
    expect(await findInFiles(sealedDir, allSecrets(sealed))).toEqual({});

    const copy = join(work, 'copy');
    await cp(sealedDir, copy, { recursive: true });
    await expect(start(copy)).rejects.toThrow(
      `sealed under key ${keys['b']!.tag}: start with that --secret-key-file`,
    );
    await expect(start(copy, keys['a']!.path)).rejects.toThrow(
      `sealed under key ${keys['b']!.tag}, not this key file's (${keys['a']!.tag})`,
    );
  });

  it('rekey-secrets moves every secret to a new key; the old one opens nothing', async () => {
    const rekey = () =>
      cairn(
        'rekey-secrets',
        '--data-dir',
        sealedDir,
        '--secret-key-file',
        keys['b']!.path,
        '--new-secret-key-file',
        keys['c']!.path,
      );
    const out = await rekey();
    expect(out).toContain(`re-sealed under key ${keys['c']!.tag} (was key ${keys['b']!.tag})`);
    expect(out).not.toContain(': 0 ring log entries');
    const old = `sealed:v1:${keys['b']!.tag}:`;
    const now = `sealed:v1:${keys['c']!.tag}:`;
    const found = await findInFiles(sealedDir, [old, now, ...allSecrets(sealed)]);
    expect(Object.keys(found)).toEqual([now]);
    expect(await rekey()).toContain(': 0 ring log entries');

    await expect(start(sealedDir, keys['b']!.path)).rejects.toThrow(/sealed under key/);
    const server = await start(sealedDir, keys['c']!.path);
    expect(server.secret).toBe(sealed.admin);
    expect(await authenticates(server, sealed)).toEqual([true, true, false]);
    await expect(
      cairn(
        'rekey-secrets',
        '--data-dir',
        sealedDir,
        '--secret-key-file',
        keys['c']!.path,
        '--new-secret-key-file',
        keys['a']!.path,
      ),
    ).rejects.toThrow(/cairn is running on .* stop it/);
    expect(await server.stop()).toBe(0);
  });

  it('refuses a key file others may read, or one in the data dir, creating nothing', async () => {
    const loose = join(work, 'keys', 'loose.key');
    await writeFile(loose, randomBytes(32), { mode: 0o644 });
    const fresh = join(work, 'never');
    await expect(start(fresh, loose)).rejects.toThrow(/may be read by other users \(mode 644\)/);
    await expect(stat(fresh)).rejects.toThrow(/ENOENT/);
    const inside = join(sealedDir, 'key');
    await writeFile(inside, randomBytes(32), { mode: 0o600 });
    await expect(start(sealedDir, inside)).rejects.toThrow(/inside the data dir/);
  });
});
