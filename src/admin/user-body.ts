/**
 * Parses the user documents of the Riak CS admin API, JSON or XML by Content-Type: {email,
 * name} to create a user; {email?, name?, status?, new_key_secret?} to update one. As in
 * Riak CS, an XML document's root may be <User> or <UserUpdate>. The read-only fields of
 * Riak CS's own user document (key_id, key_secret, id, display_name, buckets) are taken
 * when unchanged, so a document read, edited and sent back works; a changed one, or any
 * other field, is refused with a clear message rather than ignored.
 */
import type { OpenUser } from '../../stanchion/secret-box.js';
import { S3Error } from '../http/errors.js';
import { IMPORT_FIELD_NAMES } from './user-import-fields.js';

const isImportField = (name: string) => (IMPORT_FIELD_NAMES as readonly string[]).includes(name);
import { parseRequestXml } from '../http/xml.js';
import type { AdminFormat } from './negotiate.js';

/** What PUT /riak-cs/user/<key_id> may change. */
export interface UserUpdate {
  email?: string;
  name?: string;
  status?: 'enabled' | 'disabled';
  newKeySecret?: boolean;
}

const XML_FIELDS: Record<string, string> = {
  Email: 'email',
  Name: 'name',
  Status: 'status',
  NewKeySecret: 'new_key_secret',
  DisplayName: 'display_name',
  KeyId: 'key_id',
  KeySecret: 'key_secret',
  Id: 'id',
  Buckets: 'buckets',
};

/** The document's fields under their JSON names. */
export function userFields(body: Buffer, format: AdminFormat): Record<string, unknown> {
  const text = body.toString('utf8');
  if (format === 'xml') return xmlFields(text);
  try {
    const fields = JSON.parse(text) as unknown;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error();
    return fields as Record<string, unknown>;
  } catch {
    throw new S3Error('InvalidArgument', 'The request body is not a JSON object.');
  }
}

function xmlFields(text: string): Record<string, unknown> {
  const parsed = parseRequestXml(text);
  const roots = Object.keys(parsed)
    .filter((name) => !name.startsWith('?'))
    .map((name) => parsed[name]);
  const doc = roots[0];
  if (roots.length !== 1 || typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new S3Error('MalformedXML', 'Expected one <User> or <UserUpdate> element.');
  }
  const fields: Record<string, unknown> = {};
  for (const [tag, value] of Object.entries(doc as Record<string, unknown>)) {
    const name = XML_FIELDS[tag];
    if (!name) throw new S3Error('InvalidArgument', `Unknown field <${tag}>.`);
    if (name === 'new_key_secret') {
      if (value !== 'true' && value !== 'false') {
        throw new S3Error('InvalidArgument', '<NewKeySecret> must be true or false.');
      }
      fields[name] = value === 'true';
    } else fields[name] = name === 'buckets' ? undefined : value;
  }
  return fields;
}

/** A valid e-mail, or InvalidArgument. */
export function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 254) {
    throw new S3Error('InvalidArgument', 'A valid "email" is required.');
  }
  return email;
}

/** A valid name, or InvalidArgument. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256) {
    throw new S3Error(
      'InvalidArgument',
      'A non-empty "name" of at most 256 characters is required.',
    );
  }
  return name;
}

/** The email and name of a create document (nothing else may be given). */
export function parseUserCreate(fields: Record<string, unknown>): { email: string; name: string } {
  for (const name of Object.keys(fields)) {
    // The admin-only identity fields are checked by importedIdentity (user-import-fields.ts).
    const known = name === 'email' || name === 'name' || isImportField(name);
    if (!known) {
      throw new S3Error('InvalidArgument', `Unknown field "${name}": give email and name.`);
    }
  }
  return { email: checkEmail(fields['email']), name: checkName(fields['name']) };
}

/** The fields of an update document, checked against the user as it is. */
export function parseUserUpdate(fields: Record<string, unknown>, current: OpenUser): UserUpdate {
  const update: UserUpdate = {};
  for (const [name, value] of Object.entries(fields)) {
    switch (name) {
      case 'email':
        update.email = checkEmail(value);
        break;
      case 'name':
        update.name = checkName(value);
        break;
      case 'status':
        if (value !== 'enabled' && value !== 'disabled') {
          throw new S3Error('InvalidArgument', '"status" must be "enabled" or "disabled".');
        }
        update.status = value;
        break;
      case 'new_key_secret':
        if (typeof value !== 'boolean') {
          throw new S3Error('InvalidArgument', '"new_key_secret" must be true or false.');
        }
        update.newKeySecret = value;
        break;
      default:
        checkUnchanged(name, value, current);
    }
  }
  return update;
}

/** A read-only field of Riak CS's user document: taken only with its current value. */
function checkUnchanged(name: string, value: unknown, current: OpenUser): void {
  const fixed: Record<string, unknown> = {
    display_name: current.displayName,
    key_id: current.keyId,
    key_secret: current.secret,
    id: current.id,
  };
  if (name === 'buckets' && (value === undefined || Array.isArray(value))) return;
  if (!(name in fixed)) throw new S3Error('InvalidArgument', `Unknown field "${name}".`);
  if (value === fixed[name]) return;
  const how = name === 'key_secret' ? ' (send "new_key_secret": true for a new one)' : '';
  throw new S3Error('InvalidArgument', `"${name}" cannot be changed${how}.`);
}
