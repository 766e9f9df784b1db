/**
 * Version ids are UUIDv7 (RFC 9562): a 48-bit Unix time in milliseconds, then random bits.
 * The time in the id is what lets the orphan sweeper tell an old orphan block from one of
 * an upload still in progress without any per-block bookkeeping.
 */

/** A UUIDv7 for `nowMs` with bits from `randomBytes`. */
export function uuidV7(nowMs: number, randomBytes: (count: number) => Buffer): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Math.max(0, Math.floor(nowMs)) % 2 ** 48, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return `${groups.join('-')}-${hex.slice(20)}`;
}

/** The creation time of a UUIDv7 (with or without dashes), or undefined for other ids. */
export function uuidV7TimeMs(id: string): number | undefined {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return undefined;
  return parseInt(hex.slice(0, 12), 16);
}
