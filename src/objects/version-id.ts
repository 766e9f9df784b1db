/**
 * S3 version ids of versioned buckets and how they order. An id is 26 lower-case hex
 * digits: 12 of milliseconds since the epoch, 6 of a per-process counter and 8 of the
 * front end's own random id. Ids of one front end are strictly increasing (the time never
 * goes back within a process and the counter breaks ties); ids of two front ends differ in
 * their last 8 digits, so they never collide. Which version of a key is current is decided
 * by this order alone, never by which replica was written last.
 */

/** Digits in a version id. */
export const VERSION_ID_LENGTH = 26;
const TIME_DIGITS = 12;
const COUNTER_DIGITS = 6;
const COUNTER_MAX = 16 ** COUNTER_DIGITS;
const ID_PATTERN = /^[0-9a-f]{26}$/;

/** The id S3 shows for a version written while versioning was off or suspended. */
export const NULL_VERSION_ID = 'null';

/** Makes version ids for one front end; `frontEndId` is 8 hex digits, chosen at start-up. */
export function versionIdGenerator(clock: () => number, frontEndId: string): () => string {
  if (!/^[0-9a-f]{8}$/.test(frontEndId)) throw new Error('front-end id must be 8 hex digits');
  let lastMs = 0;
  let counter = 0;
  return () => {
    const nowMs = Math.max(0, Math.floor(clock()));
    // A clock that steps back keeps the last time: ids still increase.
    if (nowMs > lastMs) {
      lastMs = nowMs;
      counter = 0;
    } else if (++counter === COUNTER_MAX) {
      lastMs += 1;
      counter = 0;
    }
    const time = (lastMs % 16 ** TIME_DIGITS).toString(16).padStart(TIME_DIGITS, '0');
    return `${time}${counter.toString(16).padStart(COUNTER_DIGITS, '0')}${frontEndId}`;
  };
}

/** Whether `id` is a version id this store makes (not "null"). */
export function isVersionId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The creation time of a version id, in milliseconds. */
export function versionIdTimeMs(id: string): number {
  return parseInt(id.slice(0, TIME_DIGITS), 16);
}

/**
 * The id with every digit d replaced by 15 − d: the same width, in the opposite order, so
 * an ascending range scan meets the newest version first. Its own inverse.
 */
export function invertVersionId(id: string): string {
  let out = '';
  for (const digit of id) out += (15 - parseInt(digit, 16)).toString(16);
  return out;
}
