/**
 * Quota values as operators write them: sizes with units (`10GiB`, `500MB`, `1048576`) and
 * counts of objects (`100000`), for `cairn-admin quota set` and the admin API. Every value is
 * hostile: a negative, fractional, non-numeric or absurd value is refused with a message
 * that says what is accepted, never turned into some other limit.
 */

/** Bytes per unit; as in cuttlefish (Riak's configs), KB is 1024 bytes, like KiB. */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1024 ** 5,
  pb: 1024 ** 5,
  pib: 1024 ** 5,
};

/** The largest limit accepted: past 2^53 − 1 a count is no longer exact in JSON. */
export const QUOTA_VALUE_MAX = Number.MAX_SAFE_INTEGER;

/** A refused quota value; its message is for the operator. */
export class QuotaValueError extends Error {
  override readonly name = 'QuotaValueError';
}

const SIZE = /^(\d{1,20})(?:\.(\d{1,6}))?\s*([a-z]{0,3})$/i;

/**
 * A byte limit from `raw`: a whole number of bytes or a size with a unit (`10GiB`, `1.5TB`;
 * KB, MB, GB, TB, PB are binary, as in riak-cs.conf). JSON numbers are accepted as bytes.
 */
export function parseQuotaBytes(raw: unknown): number {
  if (typeof raw === 'number') return checkedCount(raw, 'bytes');
  if (typeof raw !== 'string') throw new QuotaValueError('max bytes must be a size');
  const match = SIZE.exec(raw.trim());
  const unit = match ? UNITS[match[3]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new QuotaValueError(
      `not a size: "${shown(raw)}" (write it as 1073741824, 500MB, 10GiB or 2TB; not negative)`,
    );
  }
  const bytes = Math.floor(Number(`${match[1]}.${match[2] ?? '0'}`) * unit);
  return checkedCount(bytes, 'bytes');
}

/** An object limit from `raw`: a whole number of objects (a JSON number or digits). */
export function parseQuotaObjects(raw: unknown): number {
  if (typeof raw === 'number') return checkedCount(raw, 'objects');
  if (typeof raw !== 'string' || !/^\d{1,20}$/.test(raw.trim())) {
    throw new QuotaValueError(
      `not a number of objects: "${shown(raw)}" (a whole number, 0 or more)`,
    );
  }
  return checkedCount(Number(raw.trim()), 'objects');
}

function checkedCount(value: number, what: string): number {
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    throw new QuotaValueError(`max ${what} must be a whole number, not ${value}`);
  }
  if (value < 0) throw new QuotaValueError(`max ${what} cannot be negative (${value})`);
  if (value > QUOTA_VALUE_MAX) {
    throw new QuotaValueError(`max ${what} is too large (at most ${QUOTA_VALUE_MAX})`);
  }
  return value;
}

/** A value as echoed in a message: bounded, printable. */
function shown(raw: unknown): string {
  return String(raw)
    .slice(0, 40)
    .replace(/[^\x20-\x7e]/g, '?');
}
