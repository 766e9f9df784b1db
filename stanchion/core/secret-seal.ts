/**
 * Sealing a user's secret key for storage: AES-256-GCM under the operator's key file, bound
 * to the access key id (as associated data), so a sealed secret copied onto another user's
 * record does not open. The sealed form is text, and says which key sealed it:
 *
 *   sealed:v1:<key tag>:<base64url(nonce ‖ ciphertext ‖ tag)>
 *
 * The key tag is 8 hex digits of an HMAC of the key (never the key, never enough to guess
 * it), so opening with another key fails with a message naming both tags. Pure: the nonce
 * comes in as an argument; nothing here reads a clock, a file or randomness.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

/** What every sealed secret starts with; no secret Cairn issues or accepts looks like it. */
export const SEALED_PREFIX = 'sealed:v1:';
/** AES-256: the key file holds exactly this many bytes. */
export const SEAL_KEY_BYTES = 32;
/** GCM's 96-bit nonce, fresh for every seal. */
export const SEAL_NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed secret that does not open: wrong key, another user's, or altered. */
export class SealError extends Error {
  readonly code = 'SECRET_SEAL';
}

/** The tag that names `key` in sealed secrets (8 hex digits). */
export function keyTag(key: Buffer): string {
  return createHmac('sha256', key).update('cairn secret key tag').digest('hex').slice(0, 8);
}

/** Whether `stored` is a sealed secret (else it is a secret stored as given). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The key tag a sealed secret names. */
export function sealedKeyTag(stored: string): string | undefined {
  if (!isSealed(stored)) return undefined;
  return stored.slice(SEALED_PREFIX.length).split(':')[0];
}

function associatedData(accessKeyId: string): Buffer {
  return Buffer.from(`cairn user secret\0${accessKeyId}`, 'utf8');
}

/** `plaintext` sealed under `key` for the user with `accessKeyId`, with `nonce` (12 bytes). */
export function sealSecret(
  key: Buffer,
  accessKeyId: string,
  plaintext: string,
  nonce: Buffer,
): string {
  if (key.length !== SEAL_KEY_BYTES) throw new RangeError('a sealing key is 32 bytes');
  if (nonce.length !== SEAL_NONCE_BYTES) throw new RangeError('a nonce is 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData(accessKeyId));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const sealed = Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  return `${SEALED_PREFIX}${keyTag(key)}:${sealed}`;
}

/** The plaintext of a secret `sealSecret` sealed under `key` for `accessKeyId`. */
export function openSecret(key: Buffer, accessKeyId: string, stored: string): string {
  const tag = sealedKeyTag(stored);
  if (tag === undefined) throw new SealError(`the secret of ${accessKeyId} is not sealed`);
  const mine = keyTag(key);
  if (tag !== mine) {
    throw new SealError(
      `the secret of ${accessKeyId} is sealed under key ${tag}, not this key file's (${mine})`,
    );
  }
  const bytes = Buffer.from(stored.slice(SEALED_PREFIX.length + tag.length + 1), 'base64url');
  if (bytes.length < SEAL_NONCE_BYTES + TAG_BYTES) {
    throw new SealError(`the sealed secret of ${accessKeyId} is truncated`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, SEAL_NONCE_BYTES));
  decipher.setAAD(associatedData(accessKeyId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    const body = bytes.subarray(SEAL_NONCE_BYTES, bytes.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError(`the sealed secret of ${accessKeyId} does not open: altered, or another's`);
  }
}
