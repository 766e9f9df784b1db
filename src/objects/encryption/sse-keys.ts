/**
 * The keys of encrypted objects. Every version (and every part of a multipart upload) is
 * sealed under its own 32-byte data key (chunked-gcm.ts), and what its manifest keeps
 * (EncryptionRecord) opens that key again only with what the caller brings:
 * - SSE-C: the data key is derived (HKDF-SHA256) from the customer's key and a random salt;
 *   the record keeps the salt and a MAC of the key under that salt, never the key, so a
 *   wrong key is told apart (403 as S3) without anything that opens the data.
 * - SSE-S3: the data key is random and stored wrapped (AES-256-GCM) by a master key from
 *   the operator's key file; the record names that key's id, so the master key can be
 *   rotated by re-wrapping data keys (rewrapKey) without touching the data.
 * Pure: randomness is passed in.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  timingSafeEqual,
} from 'node:crypto';

/** Bytes of a data key, a customer key and a master key (AES-256). */
export const KEY_BYTES = 32;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** How an object version is encrypted, as its manifest keeps it. */
export interface EncryptionRecord {
  /** SSE-C (`customer`) or SSE-S3 (`managed`). */
  kind: 'customer' | 'managed';
  /** Plain bytes per sealed chunk. */
  chunkBytes: number;
  /** SSE-C: the salt (base64) the data key and the key MAC are derived with. */
  salt?: string;
  /** SSE-C: HMAC-SHA256 of the salt under the customer's key (base64). */
  keyMac?: string;
  /** SSE-S3: the id of the master key that wrapped the data key. */
  keyId?: string;
  /** SSE-S3: nonce, wrapped data key and tag (base64). */
  wrappedKey?: string;
}

/** A record and the data key it stands for (in memory only, for one request). */
export interface Sealing {
  record: EncryptionRecord;
  dataKey: Buffer;
}

/** The operator's master keys: the current one wraps, any of them unwraps. */
export interface MasterKeys {
  current: { id: string; key: Buffer };
  byId: ReadonlyMap<string, Buffer>;
}

/** The id of a master key: a MAC of a fixed text, so the id tells nothing of the key. */
export function masterKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('cairn kms key id').digest('hex').slice(0, 16);
}

/** Master keys from the key file's keys, the first the current one. */
export function masterKeysOf(keys: readonly Buffer[]): MasterKeys {
  if (keys.length === 0) throw new Error('no master key');
  const byId = new Map(keys.map((key) => [masterKeyId(key), key] as const));
  return { current: { id: masterKeyId(keys[0]!), key: keys[0]! }, byId };
}

function keyMacOf(customerKey: Buffer, salt: Buffer): Buffer {
  return createHmac('sha256', customerKey).update(salt).update('cairn sse-c key check').digest();
}

function derivedKey(customerKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', customerKey, salt, 'cairn sse-c data key', KEY_BYTES));
}

/** A new SSE-C sealing under the customer's 32-byte key. */
export function customerSealing(
  customerKey: Buffer,
  randomBytes: (count: number) => Buffer,
  chunkBytes: number,
): Sealing {
  const salt = randomBytes(SALT_BYTES);
  const record: EncryptionRecord = {
    kind: 'customer',
    chunkBytes,
    salt: salt.toString('base64'),
    keyMac: keyMacOf(customerKey, salt).toString('base64'),
  };
  return { record, dataKey: derivedKey(customerKey, salt) };
}

/** The data key of an SSE-C record under `customerKey`; undefined when it is not the key. */
export function customerDataKey(record: EncryptionRecord, customerKey: Buffer): Buffer | undefined {
  const salt = Buffer.from(record.salt ?? '', 'base64');
  const stored = Buffer.from(record.keyMac ?? '', 'base64');
  const mac = keyMacOf(customerKey, salt);
  if (stored.length !== mac.length || !timingSafeEqual(stored, mac)) return undefined;
  return derivedKey(customerKey, salt);
}

function wrap(master: { id: string; key: Buffer }, dataKey: Buffer, nonce: Buffer): string {
  const cipher = createCipheriv('aes-256-gcm', master.key, nonce);
  cipher.setAAD(Buffer.from(master.id));
  const wrapped = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([nonce, wrapped]).toString('base64');
}

/** A new SSE-S3 sealing: a random data key wrapped by the current master key. */
export function managedSealing(
  keys: MasterKeys,
  randomBytes: (count: number) => Buffer,
  chunkBytes: number,
): Sealing {
  const dataKey = randomBytes(KEY_BYTES);
  const wrappedKey = wrap(keys.current, dataKey, randomBytes(NONCE_BYTES));
  const record: EncryptionRecord = {
    kind: 'managed',
    chunkBytes,
    keyId: keys.current.id,
    wrappedKey,
  };
  return { record, dataKey };
}

/** A master key missing from the key file, or a wrapped key that fails its check. */
export class MasterKeyError extends Error {}

/** The data key of an SSE-S3 record; throws MasterKeyError when it cannot be unwrapped. */
export function managedDataKey(record: EncryptionRecord, keys: MasterKeys): Buffer {
  const id = record.keyId ?? '';
  const master = keys.byId.get(id);
  if (!master) throw new MasterKeyError(`master key ${id} is not in the kms key file`);
  const stored = Buffer.from(record.wrappedKey ?? '', 'base64');
  const nonce = stored.subarray(0, NONCE_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', master, nonce);
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
  try {
    const body = stored.subarray(NONCE_BYTES, stored.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new MasterKeyError(`the data key wrapped by master key ${id} failed its check`);
  }
}

/**
 * The record re-wrapped under the current master key (the same record when it already is):
 * the data key, and so the stored data, stays the same.
 */
export function rewrapKey(
  record: EncryptionRecord,
  keys: MasterKeys,
  randomBytes: (count: number) => Buffer,
): EncryptionRecord {
  if (record.kind !== 'managed' || record.keyId === keys.current.id) return record;
  const dataKey = managedDataKey(record, keys);
  const wrappedKey = wrap(keys.current, dataKey, randomBytes(NONCE_BYTES));
  return { ...record, keyId: keys.current.id, wrappedKey };
}
