/**
 * IP addresses and CIDR ranges for the aws:SourceIp condition, IPv4 and IPv6. An IPv4
 * address that reaches us IPv4-mapped (::ffff:127.0.0.1, as Node reports dual-stack
 * sockets) is the IPv4 address, so a range written as 127.0.0.1/32 matches it.
 */

/** A parsed range: its family, network bits and prefix length. */
export interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefixLength: number;
}

interface Address {
  family: 4 | 6;
  bits: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let bits = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bits = (bits << 8n) | BigInt(part);
  }
  return bits;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  let head = groups(halves[0]!);
  let tail = halves.length === 2 ? groups(halves[1]!) : [];
  // A trailing dotted quad fills the last two groups.
  const last = (tail.length > 0 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    const quad = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (tail.length > 0) tail = [...tail.slice(0, -1), ...quad];
    else head = [...head.slice(0, -1), ...quad];
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let bits = 0n;
  for (const group of [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    bits = (bits << 16n) | BigInt(`0x${group}`);
  }
  return bits;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an address; IPv4-mapped IPv6 addresses become IPv4. */
export function parseAddress(text: string): Address | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, bits: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, bits: v6 & 0xffffffffn };
  return { family: 6, bits: v6 };
}

/** Parses "address/prefix" or a bare address (a one-address range); undefined if invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const width = address.family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(width) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) return undefined;
  return { ...address, prefixLength: Number(prefixText) };
}

/** Whether `address` lies in `cidr`; false for an unparsable address. */
export function ipMatches(cidr: Cidr, address: string): boolean {
  const parsed = parseAddress(address);
  if (!parsed || parsed.family !== cidr.family) return false;
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefixLength);
  return parsed.bits >> shift === cidr.bits >> shift;
}
