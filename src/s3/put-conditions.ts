/**
 * Conditional writes (If-None-Match: * and If-Match: <etag> on PutObject), as S3 defines
 * them: 412 PreconditionFailed when the condition does not hold, 404 NoSuchKey for an
 * If-Match on a missing key. The check that counts runs right before the manifest commit,
 * against the same read whose context the commit writes with (ObjectStore.put's
 * `precondition`); an earlier check only saves uploading a body that is bound to fail.
 *
 * The remaining race, honestly: between that read and the manifest write there is no lock.
 * Two writers that both pass (say two If-None-Match: * PUTs of a new key) both commit; the
 * ring keeps them as siblings and readers see the newer one, so one writer believes it
 * created a key that the other replaced. S3 closes this window with a per-key lock (409
 * ConditionalRequestConflict); Cairn would need a compare-and-set in the vnode to do so.
 */
import type { Manifest } from '../objects/manifest.js';
import { S3Error } from './errors.js';

/** The conditions of one PUT. */
export interface PutConditions {
  /** ETags (unquoted) or '*' the current version must match. */
  ifMatch?: string[];
  /** Set when the key must not exist. */
  ifNoneMatchAny?: true;
}

type Headers = Record<string, string | string[] | undefined>;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The conditions of a PUT's headers; undefined when it has none. */
export function putConditionsOf(headers: Headers): PutConditions | undefined {
  const ifMatch = one(headers['if-match']);
  const ifNoneMatch = one(headers['if-none-match']);
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  const conditions: PutConditions = {};
  if (ifMatch !== undefined) {
    conditions.ifMatch = ifMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
      .filter((tag) => tag !== '');
    if (conditions.ifMatch.length === 0) throw new S3Error('InvalidArgument', 'Empty If-Match.');
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw S3Error.notImplemented('If-None-Match with a value other than * on PUT');
    }
    conditions.ifNoneMatchAny = true;
  }
  return conditions;
}

/** Throws unless `conditions` hold for the current version `current` of `key`. */
export function checkPutConditions(
  conditions: PutConditions,
  current: Pick<Manifest, 'etag'> | undefined,
  key: string,
): void {
  if (conditions.ifMatch !== undefined) {
    if (!current) throw S3Error.noSuchKey(key);
    const matches = conditions.ifMatch.some((tag) => tag === '*' || tag === current.etag);
    if (!matches)
      throw new S3Error('PreconditionFailed', undefined, { fields: { Condition: 'If-Match' } });
  }
  if (conditions.ifNoneMatchAny && current) {
    throw new S3Error('PreconditionFailed', undefined, { fields: { Condition: 'If-None-Match' } });
  }
}
