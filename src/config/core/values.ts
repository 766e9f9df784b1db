/**
 * The value types of Cairn's settings, as cuttlefish (Riak's riak.conf) wrote them:
 * durations with units (`24h`, `15m`, `1h30m`, `500ms`), byte sizes (`1MB`, `512KB`), flags
 * (`on`/`off`), host:port addresses. The same parser reads a flag, a CAIRN_* variable and a
 * line of the config file, so a value means the same wherever it is written. Pure.
 */

/** A value that does not parse; the caller adds where it was written. */
export class ValueError extends Error {}

/** How one setting's text becomes its value. */
export interface ValueType<T> {
  /** What is expected, for messages: "a duration such as 24h". */
  readonly expected: string;
  parse(raw: string): T;
  /** The value as it would be written in a config file. */
  format(value: T): string;
}

const DURATION_UNITS_MS: Record<string, number> = {
  f: 14 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/** A duration in ms: one or more number+unit parts (`1h30m`), or a bare number of `unitMs`. */
export function parseDurationMs(raw: string, unitMs: number): number {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * unitMs);
  const part = /(\d+(?:\.\d+)?)(ms|f|w|d|h|m|s)/gy;
  let total = 0;
  let at = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
    at = part.lastIndex;
  }
  if (text === '' || at !== text.length) {
    throw new ValueError(`not a duration: "${raw}" (write it as 30s, 15m, 24h, 1h30m, 500ms)`);
  }
  return Math.round(total);
}

/** A duration written in the largest unit that divides it exactly. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const size = DURATION_UNITS_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const BYTE_UNITS: Record<string, number> = { '': 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** A size in bytes: `1048576`, `512KB`, `1MB`, `2GB` (cuttlefish: KB is 1024 bytes). */
export function parseBytes(raw: string): number {
  const match = /^(\d+)\s*(KB|MB|GB)?$/i.exec(raw.trim());
  if (!match) throw new ValueError(`not a size: "${raw}" (write it as 1048576, 512KB or 1MB)`);
  return Number(match[1]) * BYTE_UNITS[(match[2] ?? '').toUpperCase()]!;
}

/** A size in the largest unit that divides it exactly. */
export function formatBytes(bytes: number): string {
  for (const unit of ['GB', 'MB', 'KB']) {
    const size = BYTE_UNITS[unit]!;
    if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** `on`/`off` as cuttlefish writes flags; `true`/`false` as environments do. */
export function parseFlag(raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (text === 'on' || text === 'true') return true;
  if (text === 'off' || text === 'false') return false;
  throw new ValueError(`not a flag: "${raw}" (write on or off)`);
}

/** host:port, with an IPv6 host in brackets ([::1]:8080). */
export function parseHostPort(raw: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new ValueError(`not a host:port address: "${raw}" (write it as 127.0.0.1:8080)`);
  }
  return { host: match[1] ?? match[2]!, port };
}

/** A comma-separated list of host:port addresses, at least one. */
export function parseAddressList(raw: string): string[] {
  const list = raw
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (list.length === 0) throw new ValueError('expected at least one host:port address');
  if (list.length > 64) throw new ValueError(`too many addresses (${list.length}; at most 64)`);
  for (const address of list) parseHostPort(address);
  return list;
}
