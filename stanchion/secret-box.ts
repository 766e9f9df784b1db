/**
 * The one door between users' secret keys in the clear (in a front end's or stanchion's
 * memory, in the admin API's answers) and as stored (user records on the ring, stanchion's
 * command logs, admin.json). With the operator's key file every stored secret is sealed
 * (core/secret-seal.ts); without one it is stored as given, as before. A box refuses what
 * it cannot honestly open: a sealed secret without the key, a plain one with it (a store
 * sealed by half: run `cairn rekey-secrets`). It never logs, and its errors name access
 * key ids and key tags only.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Command } from './core/commands.js';
import type { StoredSecret, UserRecord } from './core/records.js';
import {
  isSealed,
  keyTag,
  openSecret,
  SEAL_NONCE_BYTES,
  SealError,
  sealedKeyTag,
  sealSecret,
} from './core/secret-seal.js';

/** A user with its secret key in the clear: only ever in memory, never stored. */
export type OpenUser = Omit<UserRecord, 'secret'> & { secret: string };

/** Seals secrets for storage and opens them again. */
export interface SecretBox {
  /** The key's tag, when secrets are sealed; undefined when they are stored as given. */
  readonly keyTag: string | undefined;
  seal(accessKeyId: string, plaintext: string): StoredSecret;
  open(accessKeyId: string, stored: StoredSecret): string;
}

const asStored = (text: string) => text as unknown as StoredSecret;
const asText = (stored: StoredSecret) => stored as unknown as string;

/** The box of a store without a key file: secrets are stored as given. */
export function plainBox(): SecretBox {
  return {
    keyTag: undefined,
    seal(accessKeyId, plaintext) {
      if (isSealed(plaintext)) {
        throw new SealError(`the secret of ${accessKeyId} cannot start with "sealed:"`);
      }
      return asStored(plaintext);
    },
    open(accessKeyId, stored) {
      const text = asText(stored);
      if (isSealed(text)) {
        throw new SealError(
          `the secret of ${accessKeyId} is sealed under key ${sealedKeyTag(text)}: start ` +
            'with that --secret-key-file',
        );
      }
      return text;
    },
  };
}

/** The box of a store with a key file: every secret sealed under `key` (32 bytes). */
export function keyBox(
  key: Buffer,
  randomBytes: (count: number) => Buffer = cryptoRandomBytes,
): SecretBox {
  const tag = keyTag(key);
  return {
    keyTag: tag,
    seal: (accessKeyId, plaintext) =>
      asStored(sealSecret(key, accessKeyId, plaintext, randomBytes(SEAL_NONCE_BYTES))),
    open(accessKeyId, stored) {
      const text = asText(stored);
      if (!isSealed(text)) {
        throw new SealError(
          `the secret of ${accessKeyId} is stored unsealed, but a --secret-key-file is set: ` +
            'seal the store with `cairn rekey-secrets` first',
        );
      }
      return openSecret(key, accessKeyId, text);
    },
  };
}

/** `user` with its stored secret opened. */
export function openUser(box: SecretBox, user: UserRecord): OpenUser {
  return { ...user, secret: box.open(user.keyId, user.secret) };
}

/** `user` with its secret sealed for storage. */
export function sealUser(box: SecretBox, user: OpenUser): UserRecord {
  return { ...user, secret: box.seal(user.keyId, user.secret) };
}

/** The stored form of a secret read back from JSON (admin.json, a log entry). */
export function storedSecret(text: string): StoredSecret {
  return asStored(text);
}

const PLAIN = plainBox();

/** The box a holder of optional `secrets` uses: the plain one when it has none. */
export function secretsOf(holder: { secrets?: SecretBox | undefined }): SecretBox {
  return holder.secrets ?? PLAIN;
}

/**
 * Why stanchion must refuse `command`, if its secret does not open with stanchion's own box:
 * a front end with another key file (or none, or one where stanchion has none) would store
 * secrets nobody else can open.
 */
export function commandSecretRefusal(box: SecretBox, command: Command): string | undefined {
  const [keyId, secret] =
    command.type === 'create-user'
      ? [command.user.keyId, command.user.secret]
      : command.type === 'update-user'
        ? [command.keyId, command.changes.secret]
        : [undefined, undefined];
  if (keyId === undefined || secret === undefined) return undefined;
  try {
    box.open(keyId, secret);
    return undefined;
  } catch (error) {
    return `the front end and this stanchion use different secret key files: ${
      (error as Error).message
    }`;
  }
}
