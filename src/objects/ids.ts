/**
 * Version ids are UUIDv7 (RFC 9562): a 48-bit Unix time in milliseconds, then random bits.
 * The time in the id is what lets the orphan sweeper tell an old orphan block from one of
 * an upload still in progress without any per-block bookkeeping. The random bits come from
 * a v4 UUID (Node pools its entropy for those: no system call per id on the PUT path).
 */

/** A UUIDv7 for `nowMs`, its random bits taken from the v4 UUID `randomUuid()` returns. */
export function uuidV7(nowMs: number, randomUuid: () => string): string {
  const time = (Math.max(0, Math.floor(nowMs)) % 2 ** 48).toString(16).padStart(12, '0');
  // xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx: keep what follows the version digit (the variant
  // bits 10xx are already those of a v7), put the time before it and a 7 in its place.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUuid().slice(15)}`;
}

/** The creation time of a UUIDv7 (with or without dashes), or undefined for other ids. */
export function uuidV7TimeMs(id: string): number | undefined {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return undefined;
  return parseInt(hex.slice(0, 12), 16);
}
