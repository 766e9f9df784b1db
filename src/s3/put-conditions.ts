/**
 * Conditional writes (If-Match and If-None-Match on PutObject and CompleteMultipartUpload),
 * as S3 defines them: 412 PreconditionFailed when the condition does not hold, 404 NoSuchKey
 * for an If-Match on a missing key. If-None-Match takes ETags as well as '*', as HTTP
 * (RFC 9110) and ceph/s3-tests have it: the write fails when the current version has one.
 * The check that counts runs right before the manifest commit, against the same read whose
 * context the commit writes with (ObjectStore.put's and commit's `precondition`); an
 * earlier check only saves uploading a body that is bound to fail.
 *
 * The remaining race, honestly: between that read and the manifest write there is no lock.
 * Two writers that both pass (say two If-None-Match: * PUTs of a new key) both commit; the
 * ring keeps them as siblings and readers see the newer one, so one writer believes it
 * created a key that the other replaced. S3 closes this window with a per-key lock (409
 * ConditionalRequestConflict); Cairn would need a compare-and-set in the vnode to do so.
 */
import type { Manifest } from '../objects/manifest.js';
import { S3Error } from '../http/errors.js';

/** The conditions of one PUT (or CompleteMultipartUpload). */
export interface PutConditions {
  /** ETags (unquoted) or '*' the current version must match. */
  ifMatch?: string[];
  /** ETags (unquoted) or '*' the current version must not match ('*': must not exist). */
  ifNoneMatch?: string[];
}

type Headers = Record<string, string | string[] | undefined>;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The entity tags of an If-Match or If-None-Match value, unquoted; InvalidArgument if none. */
function entityTags(value: string, header: string): string[] {
  const tags = value
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .filter((tag) => tag !== '');
  if (tags.length === 0) throw new S3Error('InvalidArgument', `Empty ${header}.`);
  return tags;
}

/** The conditions of a PUT's headers; undefined when it has none. */
export function putConditionsOf(headers: Headers): PutConditions | undefined {
  const ifMatch = one(headers['if-match']);
  const ifNoneMatch = one(headers['if-none-match']);
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  return {
    ...(ifMatch !== undefined ? { ifMatch: entityTags(ifMatch, 'If-Match') } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: entityTags(ifNoneMatch, 'If-None-Match') } : {}),
  };
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
  const ifNoneMatch = conditions.ifNoneMatch;
  if (current && ifNoneMatch?.some((tag) => tag === '*' || tag === current.etag)) {
    throw new S3Error('PreconditionFailed', undefined, { fields: { Condition: 'If-None-Match' } });
  }
}
