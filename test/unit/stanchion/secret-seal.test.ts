import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../stanchion/core/commands.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import {
  isSealed,
  keyTag,
  openSecret,
  SealError,
  sealSecret,
} from '../../../stanchion/core/secret-seal.js';
import { resealEntry, resealSecret } from '../../../stanchion/reseal.js';
import {
  commandSecretRefusal,
  keyBox,
  openUser,
  plainBox,
  sealUser,
  storedSecret,
} from '../../../stanchion/secret-box.js';
import { keyBytesOf, readSecretKeyFile } from '../../../stanchion/secret-key-file.js';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);
const NONCE = Buffer.alloc(12, 1);

describe('secret seal: AES-256-GCM bound to the access key id', () => {
  it('opens what it sealed, for any secret and key id, and never shows the secret', () => {
    const text = fc.string({ minLength: 1, maxLength: 128 });
    const keyId = fc.stringMatching(/^[A-Z0-9]{1,40}$/);
    fc.assert(
      fc.property(text, keyId, fc.uint8Array({ minLength: 12, maxLength: 12 }), (s, id, n) => {
        const sealed = sealSecret(KEY, id, s, Buffer.from(n));
        expect(isSealed(sealed)).toBe(true);
        if (s.length >= 8) expect(sealed).not.toContain(s);
        expect(openSecret(KEY, id, sealed)).toBe(s);
      }),
    );
  });

  it('refuses another key (naming both tags), another user, and any altered byte', () => {
    const sealed = sealSecret(KEY, 'AKIA1', 'the secret', NONCE);
    expect(sealed.startsWith(`sealed:v1:${keyTag(KEY)}:`)).toBe(true);
    expect(() => openSecret(OTHER, 'AKIA1', sealed)).toThrow(
      new RegExp(`sealed under key ${keyTag(KEY)}, not this key file's \\(${keyTag(OTHER)}\\)`),
    );
    expect(() => openSecret(KEY, 'AKIA2', sealed)).toThrow(SealError);
    const body = sealed.slice(sealed.lastIndexOf(':') + 1);
    for (let i = 0; i < body.length; i += 7) {
      const flipped = body[i] === 'A' ? 'B' : 'A';
      const altered =
        sealed.slice(0, sealed.length - body.length) +
        body.slice(0, i) +
        flipped +
        body.slice(i + 1);
      expect(() => openSecret(KEY, 'AKIA1', altered)).toThrow(SealError);
    }
    expect(() => openSecret(KEY, 'AKIA1', 'plain secret')).toThrow(/not sealed/);
  });

  it('uses a fresh nonce each time: the same secret seals differently', () => {
    const box = keyBox(KEY);
    const a = box.seal('AKIA1', 'same');
    const b = box.seal('AKIA1', 'same');
    expect(a).not.toEqual(b);
    expect([box.open('AKIA1', a), box.open('AKIA1', b)]).toEqual(['same', 'same']);
  });
});

describe('secret boxes: plain and keyed refuse what they cannot honestly open', () => {
  const user = {
    id: 'u',
    keyId: 'AKIA1',
    secret: 'clear',
    email: 'a@b',
    name: 'a',
    displayName: 'a',
    status: 'enabled' as const,
    isAdmin: false,
    createdAtMs: 0,
  };

  it('plain stores as given; keyed seals; each refuses the other form', () => {
    const plain = plainBox();
    const keyed = keyBox(KEY);
    const stored = sealUser(keyed, user);
    expect(String(stored.secret)).toMatch(/^sealed:v1:/);
    expect(openUser(keyed, stored).secret).toBe('clear');
    expect(() => openUser(plain, stored)).toThrow(/sealed under key .*--secret-key-file/);
    expect(String(sealUser(plain, user).secret)).toBe('clear');
    expect(() => openUser(keyed, sealUser(plain, user))).toThrow(/cairn rekey-secrets/);
    expect(() => plain.seal('AKIA1', 'sealed:v1:x:y')).toThrow(SealError);
  });

  it('re-seals log entries (events and answers) once, and again changes nothing', () => {
    const from = keyBox(KEY);
    const to = keyBox(OTHER);
    const record: UserRecord = sealUser(from, user);
    const entry: LogEntry = {
      seq: 1,
      epoch: 1,
      events: [{ type: 'user-created', user: record }],
      result: { ok: true, user: record },
    };
    const once = resealEntry({ from, to }, entry);
    const secrets = [once.events[0]!, once.result].map((e) => ('user' in e ? e.user! : record));
    for (const u of secrets) expect(to.open('AKIA1', u.secret)).toBe('clear');
    expect(resealEntry({ from, to }, once)).toEqual(once);
    const plain = resealSecret({ from: to, to: plainBox() }, 'AKIA1', secrets[0]!.secret);
    expect(String(plain)).toBe('clear');
    expect(resealSecret({ from: plainBox(), to }, 'AKIA1', storedSecret('x'))).not.toBe('x');
  });
});

describe('stanchion refuses a user command its own key cannot open', () => {
  it('from a front end with another key, with none, or with one where it has none', () => {
    const mine = keyBox(KEY);
    const user = (box: ReturnType<typeof keyBox>) => ({
      id: 'u',
      keyId: 'AKIA1',
      secret: box.seal('AKIA1', 'clear'),
      email: 'a@b',
      name: 'a',
      displayName: 'a',
      status: 'enabled' as const,
      isAdmin: false,
      createdAtMs: 0,
    });
    const create = (box: ReturnType<typeof keyBox>) =>
      ({ type: 'create-user', user: user(box) }) as const;
    expect(commandSecretRefusal(mine, create(mine))).toBeUndefined();
    expect(commandSecretRefusal(mine, create(keyBox(OTHER)))).toMatch(/different secret key/);
    expect(commandSecretRefusal(mine, create(plainBox()))).toMatch(/stored unsealed/);
    expect(commandSecretRefusal(plainBox(), create(mine))).toMatch(/is sealed under key/);
    const rekey = (box: ReturnType<typeof keyBox>) =>
      ({
        type: 'update-user',
        keyId: 'AKIA1',
        changes: { secret: box.seal('AKIA1', 'n') },
      }) as const;
    expect(commandSecretRefusal(mine, rekey(keyBox(OTHER)))).toMatch(/different/);
    expect(commandSecretRefusal(mine, rekey(mine))).toBeUndefined();
    const status = {
      type: 'update-user',
      keyId: 'AKIA1',
      changes: { status: 'disabled' },
    } as const;
    expect(commandSecretRefusal(mine, status)).toBeUndefined();
  });
});

describe('secret key file', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  async function keyFile(content: Buffer | string, mode = 0o600, inside?: string) {
    const dir = inside ?? (await mkdtemp(join(tmpdir(), 'cairn-key-')));
    dirs.push(dir);
    const path = join(dir, `key-${Math.random().toString(36).slice(2)}`);
    await writeFile(path, content);
    await chmod(path, mode);
    return path;
  }

  it('reads 32 raw bytes, or them in hex or base64', async () => {
    const key = randomBytes(32);
    expect(keyBytesOf(key)).toEqual(key);
    expect(keyBytesOf(Buffer.from(`${key.toString('hex')}\n`))).toEqual(key);
    expect(keyBytesOf(Buffer.from(`${key.toString('base64')}\n`))).toEqual(key);
    expect(keyBytesOf(Buffer.from('short'))).toBeUndefined();
    expect(await readSecretKeyFile(await keyFile(key), [])).toEqual(key);
    expect(await readSecretKeyFile(await keyFile(key, 0o400), [])).toEqual(key);
  });

  it('refuses a file others may read, one inside a data dir, a wrong size, none', async () => {
    const key = randomBytes(32);
    await expect(readSecretKeyFile(await keyFile(key, 0o640), [])).rejects.toThrow(
      /may be read by other users \(mode 640\): chmod 600/,
    );
    await expect(readSecretKeyFile(await keyFile(key, 0o604), [])).rejects.toThrow(/mode 604/);
    const data = await mkdtemp(join(tmpdir(), 'cairn-data-'));
    dirs.push(data);
    await mkdir(join(data, 'sub'));
    const inside = await keyFile(key, 0o600, join(data, 'sub'));
    await expect(readSecretKeyFile(inside, [data])).rejects.toThrow(/inside the data dir/);
    await expect(readSecretKeyFile(await keyFile('x'.repeat(31)), [])).rejects.toThrow(
      /must hold 32 random bytes/,
    );
    await expect(readSecretKeyFile('/nonexistent/key', [])).rejects.toThrow(/no such file/);
  });
});
