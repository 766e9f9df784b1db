/**
 * The admin-only fields of POST /riak-cs/user that bring a user across from another store
 * (`cairn-admin import`): its access key id and secret, its canonical id and its status, so
 * that clients keep their keys and ACL grants naming the user keep meaning it. Only the
 * admin may send them (an anonymous creator could otherwise choose a key and secret, or a
 * canonical id that ACLs already name); collisions are refused by stanchion, which alone
 * decides uniqueness.
 */
import { isSealed } from '../../stanchion/core/secret-seal.js';
import type { OpenUser } from '../../stanchion/secret-box.js';
import { S3Error } from '../http/errors.js';

/** The identity a create request asks for; each field absent means "issue a new one". */
export interface ImportedIdentity {
  keyId?: string;
  secret?: string;
  id?: string;
  status?: 'enabled' | 'disabled';
}

/** The body fields this file reads, by their Riak CS JSON names. */
export const IMPORT_FIELD_NAMES = ['key_id', 'key_secret', 'id', 'status'] as const;

// Riak CS issued upper-case base64url key ids; AWS's are upper-case alphanumerics.
const KEY_ID = /^[A-Za-z0-9_-]{1,128}$/;
// Any visible ASCII: AWS secrets hold '/' and '+', Riak CS's '-' and '_'.
const SECRET = /^[\x21-\x7e]{8,128}$/;
// Riak CS and Cairn both use 64 lower-case hex digits (S3's canonical user id form).
const CANONICAL_ID = /^[0-9a-f]{64}$/;

/**
 * The identity fields of a create document, checked. InvalidArgument for a malformed one;
 * AccessDenied when a non-admin sends any of them.
 */
export function importedIdentity(
  fields: Record<string, unknown>,
  isAdmin: boolean,
): ImportedIdentity {
  const present = IMPORT_FIELD_NAMES.filter((name) => fields[name] !== undefined);
  if (present.length === 0) return {};
  if (!isAdmin) {
    throw new S3Error('AccessDenied', `Only the admin may set ${present.join(', ')}.`);
  }
  const keyId = checked(fields['key_id'], KEY_ID, 'key_id', '1-128 letters, digits, - or _');
  const secret = checked(fields['key_secret'], SECRET, 'key_secret', '8-128 visible ASCII');
  // A stored secret may be sealed (stanchion/secret-box.ts); none given in the clear looks so.
  if (secret !== undefined && isSealed(secret)) {
    throw new S3Error('InvalidArgument', '"key_secret" cannot start with "sealed:v1:".');
  }
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new S3Error('InvalidArgument', 'Send key_id and key_secret together.');
  }
  const id = checked(fields['id'], CANONICAL_ID, 'id', '64 lower-case hex digits');
  const status = fields['status'];
  if (status !== undefined && status !== 'enabled' && status !== 'disabled') {
    throw new S3Error('InvalidArgument', '"status" must be "enabled" or "disabled".');
  }
  return { keyId, secret, id, status };
}

function checked(value: unknown, shape: RegExp, name: string, what: string) {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !shape.test(value)) {
    throw new S3Error('InvalidArgument', `"${name}" must be ${what}.`);
  }
  return value;
}

/** `user` with the requested identity in place of the fresh one. */
export function withIdentity(user: OpenUser, identity: ImportedIdentity): OpenUser {
  return {
    ...user,
    ...(identity.keyId !== undefined ? { keyId: identity.keyId } : {}),
    ...(identity.secret !== undefined ? { secret: identity.secret } : {}),
    ...(identity.id !== undefined ? { id: identity.id } : {}),
    ...(identity.status !== undefined ? { status: identity.status } : {}),
  };
}
