/**
 * Version ids are UUIDv7 (RFC 9562): a 48-bit Unix time in milliseconds, then random bits.
 * The time in the id is what lets the orphan sweeper tell an old orphan block from one of
 * an upload still in progress without any per-block bookkeeping. The random bits come from
 * a v4 UUID (Node pools its entropy for those: no system call per id on the PUT path).
 */

/** A UUIDv7 for `nowMs`, its random bits taken from the v4 UUID `randomUuid()` returns. */
export function uuidV7(nowMs: number, randomUuid: () => string): string {
  const random = randomUuid().replaceAll('-', '');
  const time = (Math.max(0, Math.floor(nowMs)) % 2 ** 48).toString(16).padStart(12, '0');
  // A v4 UUID's variant bits (10xx) are already those a v7 needs; only the version changes.
  const hex = `${time}7${random.slice(13)}`;
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return `${groups.join('-')}-${hex.slice(20)}`;
}

/** The creation time of a UUIDv7 (with or without dashes), or undefined for other ids. */
export function uuidV7TimeMs(id: string): number | undefined {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return undefined;
  return parseInt(hex.slice(0, 12), 16);
}
