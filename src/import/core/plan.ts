/**
 * What an import does, decided from what the source and the target hold: which users to
 * create or bring into line, which objects to copy. A second run compares again, so it
 * copies only what is missing or changed (by size and ETag). Pure: the listings come in
 * as values or async iterables; nothing here sends a request.
 */
import type { ListedObject } from './xml.js';

/** A user as the Riak CS admin API lists it. */
export interface SourceUser {
  email: string;
  name: string;
  keyId: string;
  secret: string;
  id: string;
  status: 'enabled' | 'disabled';
}

/** What to do about one source user, given the target's user with the same key id. */
export type UserStep =
  | { kind: 'create' }
  | { kind: 'present' }
  | { kind: 'set-status'; status: 'enabled' | 'disabled' }
  | { kind: 'conflict'; reason: string };

/** Decides a user's step. The target's e-mail may differ: keys and id are what matter. */
export function planUser(source: SourceUser, target: SourceUser | undefined): UserStep {
  if (!target) return { kind: 'create' };
  if (target.id !== source.id) {
    return {
      kind: 'conflict',
      reason: `key id ${source.keyId} belongs to another user on the target (id ${target.id})`,
    };
  }
  if (target.secret !== source.secret) {
    return {
      kind: 'conflict',
      reason: `the target holds a different secret for key id ${source.keyId} (rekeyed since?)`,
    };
  }
  if (target.status !== source.status) return { kind: 'set-status', status: source.status };
  return { kind: 'present' };
}

/** Checks one user of the admin API's answer; throws with what is wrong. */
export function sourceUserOf(json: unknown): SourceUser {
  if (typeof json !== 'object' || json === null) throw new Error('a user entry is not an object');
  const field = (name: string, maxLength: number) => {
    const value = (json as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.length > maxLength) {
      throw new Error(`a user entry has no valid "${name}"`);
    }
    return value;
  };
  const status = field('status', 16);
  if (status !== 'enabled' && status !== 'disabled') throw new Error(`unknown status ${status}`);
  return {
    email: field('email', 254),
    name: field('name', 256),
    keyId: field('key_id', 128),
    secret: field('key_secret', 128),
    id: field('id', 128),
    status,
  };
}

/** Why an object is copied; 'same' means it is left alone. */
export type ObjectStep = 'missing' | 'changed' | 'same';

/** Decides an object's step by size and ETag. */
export function planObject(source: ListedObject, target: ListedObject | undefined): ObjectStep {
  if (!target) return 'missing';
  return target.size === source.size && target.etag === source.etag ? 'same' : 'changed';
}

/** S3's listing order: by the keys' UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A source object with the target's object of the same key, if any. */
export interface ObjectPair {
  source: ListedObject;
  target?: ListedObject;
}

/**
 * Walks two listings in key order together (a merge join), so comparing a bucket of any
 * size holds only a page of each in memory. Target-only keys are skipped.
 */
export async function* pairListings(
  source: AsyncIterable<ListedObject>,
  target: AsyncIterable<ListedObject>,
): AsyncGenerator<ObjectPair> {
  const theirs = target[Symbol.asyncIterator]();
  let next = await theirs.next();
  for await (const object of source) {
    while (!next.done && compareKeys(next.value.key, object.key) < 0) next = await theirs.next();
    const match = !next.done && next.value.key === object.key ? next.value : undefined;
    yield match ? { source: object, target: match } : { source: object };
  }
  await theirs.return?.();
}
