// Byte-exact helpers for the pieces of a raw request that signatures cover: the path and query
// as sent, percent-decoding and S3's percent-encoding, and header lookup. Both signature versions
// and the client-side signers share these, so a signer and a verifier can never disagree on how
// a character is encoded. Decoding is lenient (a stray `%` stays literal) and never throws.
// Strings from the wire are byte strings: Node hands over the request line and header values
// one character per byte (latin1), so a UTF-8 `é` arrives as `Ã©`. Signatures are computed over
// those bytes, as the client computed them, never over a re-encoding of their characters.

import type { HeaderMap } from './types.js';

/** One query parameter, decoded to a UTF-8 string, with its raw (still encoded) form kept. */
export interface QueryParam {
  name: string;
  /** `undefined` when the parameter had no `=` at all (e.g. `?uploads`). */
  value: string | undefined;
  rawName: string;
  rawValue: string | undefined;
}

/** Splits `path?query` at the first `?`. */
export function splitRawUrl(rawUrl: string): { rawPath: string; rawQuery: string } {
  const at = rawUrl.indexOf('?');
  if (at < 0) return { rawPath: rawUrl, rawQuery: '' };
  return { rawPath: rawUrl.slice(0, at), rawQuery: rawUrl.slice(at + 1) };
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * The bytes of a string: a wire string (every character below U+0100) byte for byte, any
 * other string (one a client-side caller built) as UTF-8.
 */
export function wireBytes(text: string): Buffer {
  return /[^\u0000-\u00ff]/.test(text) ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
}

/**
 * Percent-decodes `text` to bytes. Characters other than `%XX` are taken as {@link wireBytes};
 * a `%` not followed by two hex digits is kept literally. With `plusAsSpace`, `+` decodes to a
 * space (form encoding, used for query strings).
 */
export function percentDecodeBytes(text: string, plusAsSpace: boolean): Buffer {
  const source = wireBytes(text);
  if (!text.includes('%') && !(plusAsSpace && text.includes('+'))) return source;
  const out = Buffer.allocUnsafe(source.length);
  let length = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] as number;
    if (byte === 0x25 && i + 2 < source.length) {
      const high = hexValue(source[i + 1] as number);
      const low = hexValue(source[i + 2] as number);
      if (high >= 0 && low >= 0) {
        out[length++] = high * 16 + low;
        i += 2;
        continue;
      }
    }
    out[length++] = plusAsSpace && byte === 0x2b ? 0x20 : byte;
  }
  return out.subarray(0, length);
}

/** Percent-decodes to a string (invalid UTF-8 becomes U+FFFD). */
export function percentDecode(text: string, plusAsSpace: boolean): string {
  return percentDecodeBytes(text, plusAsSpace).toString('utf8');
}

const HEX_UPPER = '0123456789ABCDEF';

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x7e // - . _ ~
  );
}

/**
 * S3's URI encoding of raw bytes: unreserved characters (`A-Za-z0-9-._~`) stay, every other
 * byte becomes `%XX` with upper-case hex; `/` stays only when `keepSlash` is set.
 */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const byte of bytes) {
    if (isUnreserved(byte) || (keepSlash && byte === 0x2f)) {
      out += String.fromCharCode(byte);
    } else {
      out += '%' + HEX_UPPER[byte >> 4] + HEX_UPPER[byte & 15];
    }
  }
  return out;
}

/** S3's URI encoding of a string's UTF-8 bytes; see {@link uriEncodeBytes}. */
export function uriEncode(text: string, keepSlash = false): string {
  return uriEncodeBytes(Buffer.from(text, 'utf8'), keepSlash);
}

/**
 * Splits a raw query string into parameters. Empty pieces (`a&&b`) are skipped. Names and values
 * are percent-decoded; `plusAsSpace` selects form decoding of `+`.
 */
export function parseRawQuery(rawQuery: string, plusAsSpace: boolean): QueryParam[] {
  const params: QueryParam[] = [];
  if (rawQuery === '') return params;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? undefined : piece.slice(eq + 1);
    params.push({
      name: percentDecode(rawName, plusAsSpace),
      value: rawValue === undefined ? undefined : percentDecode(rawValue, plusAsSpace),
      rawName,
      rawValue,
    });
  }
  return params;
}

/** The first parameter called `name` (exact, case-sensitive), if any. */
export function queryParam(params: readonly QueryParam[], name: string): QueryParam | undefined {
  return params.find((param) => param.name === name);
}

/** Every value of a header as a list; `undefined` when absent. `name` must be lower case. */
export function headerValues(headers: HeaderMap, name: string): readonly string[] | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

/** A header's value, repeated values joined with `,`; `undefined` when absent. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values === undefined ? undefined : values.join(',');
}
