/**
 * Parses the user documents of the Riak CS admin API, JSON or XML: {email, name} to create
 * a user; {email?, name?, status?, new_key_secret?} to update one. Unknown or mistyped
 * fields are refused with a clear message rather than ignored.
 */
import { S3Error } from '../s3/errors.js';
import { parseRequestXml } from '../s3/xml.js';

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
  KeyId: 'key_id',
  KeySecret: 'key_secret',
  Id: 'id',
};

/** The document's fields under their JSON names. */
export function userFields(body: Buffer, contentType: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (contentType.includes('xml') || text.trimStart().startsWith('<')) {
    const doc = parseRequestXml(text)['User'];
    if (typeof doc !== 'object' || doc === null) throw new S3Error('MalformedXML');
    const fields: Record<string, unknown> = {};
    for (const [tag, value] of Object.entries(doc as Record<string, unknown>)) {
      const name = XML_FIELDS[tag];
      if (name) fields[name] = name === 'new_key_secret' ? value === 'true' : value;
    }
    return fields;
  }
  try {
    const fields = JSON.parse(text) as unknown;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error();
    return fields as Record<string, unknown>;
  } catch {
    throw new S3Error('InvalidArgument', 'The request body is not a JSON object.');
  }
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

/** The fields of an update document, checked. */
export function parseUserUpdate(fields: Record<string, unknown>): UserUpdate {
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
        throw new S3Error('InvalidArgument', `Unknown field "${name}".`);
    }
  }
  return update;
}
