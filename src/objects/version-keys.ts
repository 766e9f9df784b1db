/**
 * Where version records live: partition key bucket id, sort key = object key (UTF-8), a NUL
 * byte, then the inverted version id. NUL sorts below every other byte, so all versions of
 * one key are one contiguous range, right after the key and before any longer key that
 * extends it; inside the range, newest first: ListObjectVersions' order in one range scan.
 * (The uploads keyspace separates key and upload id the same way.)
 */
import { invertVersionId, VERSION_ID_LENGTH } from './version-id.js';

const SEPARATOR = 0x00;

/** The sort key of version `orderId` of `key`. */
export function versionSortKey(key: string, orderId: string): Buffer {
  return Buffer.concat([keyVersionsPrefix(key), Buffer.from(invertVersionId(orderId), 'latin1')]);
}

/** The prefix every version of `key` shares (and no version of any other key). */
export function keyVersionsPrefix(key: string): Buffer {
  return Buffer.concat([Buffer.from(key, 'utf8'), Buffer.from([SEPARATOR])]);
}

/**
 * A scan position after every version of `key` (and before any other key's): the prefix
 * then a byte above every digit of an inverted id.
 */
export function afterKeyVersions(key: string): Buffer {
  return Buffer.concat([keyVersionsPrefix(key), Buffer.from([0xff])]);
}

/** The object key and order id a sort key encodes; undefined for a malformed one. */
export function parseVersionSortKey(sk: Buffer): { key: string; orderId: string } | undefined {
  const at = sk.length - VERSION_ID_LENGTH - 1;
  if (at < 0 || sk[at] !== SEPARATOR) return undefined;
  const inverted = sk.toString('latin1', at + 1);
  return { key: sk.toString('utf8', 0, at), orderId: invertVersionId(inverted) };
}
