/**
 * Sibling resolution of a version record (the object-versions keyspace). The record is
 * written once, then only its tags, ACL and lock fields are rewritten; two rewrites from two
 * front ends at once become siblings. The newest sibling wins as for any manifest
 * (newestIndex), except that object lock never loses to a concurrent write: the resolved
 * record keeps a legal hold any sibling has and a retention at least as strong as every
 * sibling's (COMPLIANCE if any is, until the latest date). A concurrent release (legal hold
 * OFF, a shortened GOVERNANCE retention) may then need repeating, and a concurrent change to
 * COMPLIANCE and extension in GOVERNANCE give COMPLIANCE until the later date: the lock errs
 * on the safe side, never the other.
 */
import { decodeManifest, encodeManifest, newestIndex, type Manifest } from './manifest.js';
import type { Retention } from './object-lock.js';

/** A retention at least as strong as both: COMPLIANCE if either is, the later date. */
function stronger(a: Retention | undefined, b: Retention | undefined): Retention | undefined {
  if (!a || !b) return a ?? b;
  const mode = a.mode === 'COMPLIANCE' || b.mode === 'COMPLIANCE' ? 'COMPLIANCE' : 'GOVERNANCE';
  return { mode, untilMs: Math.max(a.untilMs, b.untilMs) };
}

/** The resolved version record of `siblings` (decoded) and `values` (encoded). */
export function resolveVersionSiblings(
  siblings: readonly Manifest[],
  values: readonly Buffer[],
): Manifest {
  const newest = siblings[newestIndex(siblings, values)]!;
  if (siblings.length < 2) return newest;
  let retention: Retention | undefined;
  let legalHold = false;
  for (const sibling of siblings) {
    // Only siblings of one version merge (a version record's key names its order id).
    if (sibling.orderId !== newest.orderId) continue;
    retention = stronger(retention, sibling.retention);
    legalHold ||= sibling.legalHold === true;
  }
  const { retention: _r, legalHold: _l, ...rest } = newest;
  return { ...rest, ...(retention ? { retention } : {}), ...(legalHold ? { legalHold } : {}) };
}

/** The ring resolver of the object-versions keyspace (see the file comment). */
export function newestVersionRecord(values: Buffer[]): Buffer {
  if (values.length < 2) return values[0]!;
  return encodeManifest(resolveVersionSiblings(values.map(decodeManifest), values));
}
