/**
 * Whether a write fits its quotas: the pure rule the S3 write paths apply right before a
 * manifest commit. Usage is what the counters report (current versions, plus noncurrent
 * ones of versioned buckets); a write's delta is what its commit will add to them: the new
 * size minus the version it replaces, or all of it where versioning keeps the old one.
 */
import type { Quota } from '../../../stanchion/core/records.js';
import type { Usage } from './storage-delta.js';

/** Which limit a write would pass, with the figures, for the error's message. */
export interface QuotaBreach {
  scope: 'user' | 'bucket';
  kind: 'bytes' | 'objects';
  limit: number;
  usage: number;
  delta: number;
}

/**
 * What a commit adds: `before` is the size of the version it replaces (undefined: none),
 * `after` the new size; in a bucket with versioning Enabled the old version stays.
 */
export function writeDelta(before: number | undefined, after: number, keepsOld: boolean): Usage {
  if (keepsOld || before === undefined) return { objects: 1, bytes: after };
  return { objects: 0, bytes: after - before };
}

/**
 * The first limit of `quota` that `usage` + `delta` would pass, if any. A write that frees
 * space (a negative delta) always passes: an overwrite by a smaller object, or a delete,
 * must never be refused, even above the quota.
 */
export function quotaBreach(
  scope: QuotaBreach['scope'],
  quota: Quota | undefined,
  usage: Usage,
  delta: Usage,
): QuotaBreach | undefined {
  if (!quota) return undefined;
  const { bytesMax, objectsMax } = quota;
  if (bytesMax !== undefined && delta.bytes > 0 && usage.bytes + delta.bytes > bytesMax) {
    return { scope, kind: 'bytes', limit: bytesMax, usage: usage.bytes, delta: delta.bytes };
  }
  if (objectsMax !== undefined && delta.objects > 0 && usage.objects + delta.objects > objectsMax) {
    return {
      scope,
      kind: 'objects',
      limit: objectsMax,
      usage: usage.objects,
      delta: delta.objects,
    };
  }
  return undefined;
}

/** The error message of a breach, as RGW words its QuotaExceeded (with the figures). */
export function breachMessage(breach: QuotaBreach): string {
  const what = breach.kind === 'bytes' ? 'bytes' : 'objects';
  return (
    `The ${breach.scope} quota of ${breach.limit} ${what} would be exceeded ` +
    `(${breach.usage} in use, this write adds ${breach.delta}).`
  );
}
