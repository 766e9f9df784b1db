/**
 * The SSE-S3 master key file (--kms-key-file): one 32-byte key per line, in hex or base64
 * (`openssl rand -hex 32 > F`), the first the current key that wraps new data keys, the
 * others older keys still able to unwrap until `cairn-admin kms rotate` has re-wrapped
 * every data key under the first. Refused when others may read it or when it lies inside
 * a data dir (a copied data dir must open nothing), as the secret key file is.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { keyBytesOf } from '../../../stanchion/secret-key-file.js';
import { masterKeysOf, type MasterKeys } from './sse-keys.js';

/** A key file the program refuses; the message says why (never a key). */
export class KmsKeyFileError extends Error {}

/** The master keys of a key file's contents; throws naming the bad line. */
export function masterKeysFromText(content: string, shown: string): MasterKeys {
  const lines = content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const keys = lines.map((line, i) => {
    const key = keyBytesOf(Buffer.from(line, 'latin1'));
    if (!key || key.length !== 32 || line.length === 32) {
      throw new KmsKeyFileError(
        `kms key file ${shown}: key ${i + 1} is not 32 bytes in hex or base64 ` +
          `(openssl rand -hex 32 > ${shown})`,
      );
    }
    return key;
  });
  if (keys.length === 0) throw new KmsKeyFileError(`kms key file ${shown} holds no key`);
  return masterKeysOf(keys);
}

/** Reads the key file at `path`, which must lie outside every one of `dataDirs`. */
export async function readKmsKeyFile(path: string, dataDirs: string[]): Promise<MasterKeys> {
  const shown = resolve(path);
  const real = await realpath(path).catch(() => {
    throw new KmsKeyFileError(`cannot read kms key file ${shown}`);
  });
  const mode = (await stat(real)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KmsKeyFileError(
      `kms key file ${shown} may be read by other users (mode ${mode.toString(8)}): ` +
        `chmod 600 ${shown}`,
    );
  }
  for (const dir of dataDirs) {
    const from = relative(await realpath(dir).catch(() => resolve(dir)), real);
    if (from === '' || (!from.startsWith('..') && !isAbsolute(from))) {
      throw new KmsKeyFileError(`kms key file ${shown} is inside the data dir ${resolve(dir)}`);
    }
  }
  return masterKeysFromText(await readFile(real, 'latin1'), shown);
}
