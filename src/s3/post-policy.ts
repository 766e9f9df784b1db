/**
 * The policy of a browser POST upload: a base64 JSON document with an expiration and
 * conditions (exact match, starts-with, content-length-range) that every form field must
 * satisfy, as S3 defines it. Pure: the time and the form come in as arguments. A broken
 * document is InvalidPolicyDocument; a form the policy does not allow is AccessDenied with
 * S3's "Invalid according to Policy" message naming the reason.
 */
import { S3Error } from '../http/errors.js';

/** One condition of a policy; field names lower-cased, without the `$`. */
export type PolicyCondition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string }
  | { kind: 'content-length-range'; min: number; max: number };

/** A parsed policy. */
export interface PostPolicy {
  expirationMs: number;
  conditions: PolicyCondition[];
}

/** Form fields a policy need not mention (S3's list, plus x-ignore-* and checksums). */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'signature', 'awsaccesskeyid', 'file']);

/**
 * Whether a field is outside the policy's reach: S3's exempt fields, x-ignore-*, and the
 * x-amz-checksum-* fields, which can only make an upload fail (a checksum that does not
 * match is refused), never let more in, so a policy has nothing to guard there (ceph's
 * s3-tests send one with a policy that does not name it).
 */
function exemptField(name: string): boolean {
  return (
    EXEMPT_FIELDS.has(name) || name.startsWith('x-ignore-') || name.startsWith('x-amz-checksum-')
  );
}

/** ISO 8601 in UTC as S3 writes a policy's expiration: 2007-12-01T12:00:00.000Z. */
const EXPIRATION_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function invalidPolicy(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}

function denied(detail: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${detail}`);
}

/** Decodes and checks the shape of a base64 policy; InvalidPolicyDocument if broken. */
export function parsePostPolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as Record<string, unknown>;
  // Date.parse would take "2026-05-10 12:00:00+00:00" and more; S3 takes ISO 8601 in UTC only.
  const expirationMs =
    typeof expiration === 'string' && EXPIRATION_FORMAT.test(expiration)
      ? Date.parse(expiration)
      : NaN;
  if (Number.isNaN(expirationMs)) {
    throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (!Array.isArray(conditions)) throw invalidPolicy("Missing or invalid 'conditions'.");
  return { expirationMs, conditions: conditions.map(parseCondition) };
}

function fieldName(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('$') || raw.length < 2) {
    throw invalidPolicy(`Invalid condition field: ${JSON.stringify(raw)}`);
  }
  return raw.slice(1).toLowerCase();
}

function lengthBound(raw: unknown): number {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw invalidPolicy('Invalid content-length-range bound.');
  }
  return n;
}

function parseCondition(raw: unknown): PolicyCondition {
  if (Array.isArray(raw)) {
    const [op, a, b] = raw as unknown[];
    const kind = typeof op === 'string' ? op.toLowerCase() : op;
    if (raw.length !== 3) throw invalidPolicy('A condition must have three elements.');
    if (kind === 'content-length-range') {
      const min = lengthBound(a);
      const max = lengthBound(b);
      if (min > max) throw invalidPolicy('Invalid content-length-range.');
      return { kind, min, max };
    }
    if ((kind === 'eq' || kind === 'starts-with') && typeof b === 'string') {
      return { kind, field: fieldName(a), value: b };
    }
    throw invalidPolicy(`Invalid condition: ${JSON.stringify(raw)}`);
  }
  if (typeof raw === 'object' && raw !== null) {
    const entries = Object.entries(raw);
    const [name, value] = entries[0] ?? [];
    if (entries.length !== 1 || typeof value !== 'string') {
      throw invalidPolicy(`Invalid condition: ${JSON.stringify(raw)}`);
    }
    return { kind: 'eq', field: name!.replace(/^\$/, '').toLowerCase(), value };
  }
  throw invalidPolicy(`Invalid condition: ${JSON.stringify(raw)}`);
}

function holds(condition: PolicyCondition & { kind: 'eq' | 'starts-with' }, actual: string) {
  if (condition.kind === 'eq') return actual === condition.value;
  // Content-Type may list several values; each must start with the prefix.
  const values = condition.field === 'content-type' ? actual.split(',') : [actual];
  return values.every((v) => v.trim().startsWith(condition.value));
}

/**
 * Checks a form (lower-cased names, `key` already with ${filename} substituted) against a
 * policy at `nowMs`; returns the allowed file size range in bytes.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  nowMs: number,
): { sizeMin: number; sizeMax: number } {
  if (nowMs >= policy.expirationMs) throw denied('Policy expired.');
  let sizeMin = 0;
  let sizeMax = Number.MAX_SAFE_INTEGER;
  const covered = new Set<string>();
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      sizeMin = Math.max(sizeMin, condition.min);
      sizeMax = Math.min(sizeMax, condition.max);
      continue;
    }
    covered.add(condition.field);
    const actual = condition.field === 'bucket' ? bucket : (fields.get(condition.field) ?? '');
    if (!holds(condition, actual)) {
      const shown = [condition.kind, `$${condition.field}`, condition.value];
      throw denied(`Policy Condition failed: ${JSON.stringify(shown)}`);
    }
  }
  const extra = [...fields.keys()].filter((name) => !exemptField(name) && !covered.has(name));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return { sizeMin, sizeMax };
}
