/**
 * The operator's key file (--secret-key-file): 32 random bytes, as they are or written in
 * hex or base64 (`head -c 32 /dev/urandom > F`, `openssl rand -hex 32 > F`). It is refused
 * when other users may read it (group or world permission bits) and when it lies inside a
 * data dir, since the point is that a copied data dir, or the stanchion log, opens nothing.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';
import { SEAL_KEY_BYTES } from './core/secret-seal.js';
import { keyBox, plainBox, type SecretBox } from './secret-box.js';

/** A key file the program refuses to use; the message says why and what to do. */
export class SecretKeyFileError extends Error {}

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** The 32 key bytes of a key file's contents, if it holds them in a form we read. */
export function keyBytesOf(content: Buffer): Buffer | undefined {
  if (content.length === SEAL_KEY_BYTES) return content;
  const text = content.toString('latin1').trim();
  if (HEX.test(text)) return Buffer.from(text, 'hex');
  if (BASE64.test(text)) return Buffer.from(text, 'base64');
  return undefined;
}

async function insideOf(path: string, dir: string): Promise<boolean> {
  const real = await realpath(dir).catch(() => resolve(dir));
  const from = relative(real, path);
  return from === '' || (!from.startsWith('..') && !isAbsolute(from));
}

/**
 * Reads the key at `path`; `dataDirs` are the data dirs it must lie outside. Throws
 * SecretKeyFileError naming the file.
 */
export async function readSecretKeyFile(path: string, dataDirs: string[]): Promise<Buffer> {
  const shown = resolve(path);
  let real: string;
  let mode: number;
  try {
    real = await realpath(path);
    const info = await stat(real);
    if (!info.isFile()) throw new SecretKeyFileError(`secret key file ${shown} is not a file`);
    mode = info.mode & 0o777;
  } catch (error) {
    if (error instanceof SecretKeyFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new SecretKeyFileError(`cannot read secret key file ${shown}: ${why}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new SecretKeyFileError(
      `secret key file ${shown} may be read by other users (mode ${mode.toString(8)}): ` +
        `chmod 600 ${shown}`,
    );
  }
  for (const dir of dataDirs) {
    if (await insideOf(real, dir)) {
      throw new SecretKeyFileError(
        `secret key file ${shown} is inside the data dir ${resolve(dir)}: keep it elsewhere, ` +
          'or a copy of the data dir opens every secret',
      );
    }
  }
  const key = keyBytesOf(await readFile(real));
  if (!key) {
    throw new SecretKeyFileError(
      `secret key file ${shown} must hold 32 random bytes, or them in hex or base64 ` +
        `(head -c 32 /dev/urandom > ${shown})`,
    );
  }
  return key;
}

/** The box for a program: sealing under the key file when one is given, plain otherwise. */
export async function secretBoxFor(
  path: string | undefined,
  dataDirs: string[],
): Promise<SecretBox> {
  return path === undefined ? plainBox() : keyBox(await readSecretKeyFile(path, dataDirs));
}
