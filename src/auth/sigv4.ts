// AWS Signature Version 4 as S3 speaks it: the canonical request, the string to sign, the key
// derivation, the chunk and trailer signatures of aws-chunked bodies, and parsing of the
// Authorization header. It is shared by the server-side verifier (authenticate.ts) and the
// client-side signers (sigv4-client.ts) so both compute byte-identical canonical forms.
// S3 differs from other services: the path is neither normalized nor double-encoded. We decode
// each raw segment and re-encode it with S3's rules, which is the identity for well-formed
// clients and makes sloppy-but-equivalent encodings (`%7e` vs `~`) verify too.
// Pure: no clock reads, no caches; callers pass time and keys.

import { createHash, createHmac } from 'node:crypto';

import { parseRawQuery, percentDecodeBytes, uriEncodeBytes, wireBytes } from './request-parts.js';
import { authFailure, type AuthFailure, type HeaderMap } from './types.js';

/** The only SigV4 algorithm S3 accepts here. */
export const AWS4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** Hex SHA-256 of the empty string. */
export const EMPTY_SHA256_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** `x-amz-content-sha256` value for a body that is not hashed. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** `x-amz-content-sha256` value for signed aws-chunked bodies. */
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
/** `x-amz-content-sha256` value for signed aws-chunked bodies with a signed trailer. */
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
/** `x-amz-content-sha256` value for unsigned aws-chunked bodies with a trailer. */
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;

/** Formats epoch milliseconds as an ISO 8601 basic timestamp, `yyyymmddThhmmssZ`. */
export function formatAmzDate(timeMs: number): string {
  return new Date(timeMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses `yyyymmddThhmmssZ` to epoch milliseconds; `undefined` when malformed. */
export function parseAmzDate(text: string): number | undefined {
  const match = AMZ_DATE_PATTERN.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const timeMs = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  return formatAmzDate(timeMs) === text ? timeMs : undefined;
}

/** True for a 64-digit lower-case hex string, the shape of every SigV4 signature. */
export function isSignatureHex(text: string): boolean {
  return SIGNATURE_PATTERN.test(text);
}

/** Canonical URI: each raw path segment decoded, then re-encoded with S3's rules. */
export function canonicalUriV4(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath
    .split('/')
    .map((segment) => uriEncodeBytes(percentDecodeBytes(segment, false), false))
    .join('/');
}

/**
 * Canonical query string: every name and value decoded (`+` as space) and re-encoded, sorted by
 * encoded name then value. For presigned requests `X-Amz-Signature` is left out.
 */
export function canonicalQueryV4(rawQuery: string, presigned: boolean): string {
  const pairs: Array<[string, string]> = [];
  const encode = (raw: string) => uriEncodeBytes(percentDecodeBytes(raw, true), false);
  for (const param of parseRawQuery(rawQuery, true)) {
    if (presigned && param.name === 'X-Amz-Signature') continue;
    pairs.push([encode(param.rawName), encode(param.rawValue ?? '')]);
  }
  pairs.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
  );
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

// Only ASCII blanks: a wire string's U+00A0 is the second byte of a UTF-8 character (`à`).
function canonicalHeaderValue(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[ \t]+/g, ' ');
}

/**
 * Canonical headers block: one `name:value\n` line per signed header (sorted), values trimmed
 * with inner whitespace runs collapsed, repeated values joined with `,`. A signed header that is
 * absent canonicalizes to an empty value (and so fails to verify).
 */
export function canonicalHeadersV4(headers: HeaderMap, signedHeaders: readonly string[]): string {
  let block = '';
  for (const name of signedHeaders) {
    const raw = headers[name];
    const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
    block += `${name}:${values.map(canonicalHeaderValue).join(',')}\n`;
  }
  return block;
}

/** Everything the canonical request covers. */
export interface CanonicalRequestV4Input {
  method: string;
  /** Path as received, still percent-encoded. */
  rawPath: string;
  /** Query as received (without `?`), still percent-encoded. */
  rawQuery: string;
  headers: HeaderMap;
  /** Lower-case names; sorted by {@link normalizeSignedHeaders}. */
  signedHeaders: readonly string[];
  /** The last line: a hex SHA-256, `UNSIGNED-PAYLOAD` or a `STREAMING-…` constant. */
  payloadHash: string;
  /** True when the signature travels in the query (drops `X-Amz-Signature`). */
  presigned: boolean;
}

/** Lower-cases, de-duplicates and sorts a SignedHeaders list. */
export function normalizeSignedHeaders(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()))].sort();
}

/** x-amz-* headers a header-signed request may leave out of SignedHeaders. */
const HEADER_SIGNED_EXEMPT: readonly string[] = ['x-amz-date', 'x-amz-content-sha256'];

/**
 * The x-amz-* headers a request carries but did not sign. S3 refuses any: otherwise anyone
 * on the path could add x-amz-copy-source, x-amz-meta-* or x-amz-tagging to a signed
 * request and its signature would still hold. By default x-amz-date and
 * x-amz-content-sha256 are exempt: the string to sign and the canonical request's last
 * line bind their values.
 */
export function unsignedAmzHeaders(
  headers: HeaderMap,
  signedHeaders: readonly string[],
  exempt: readonly string[] = HEADER_SIGNED_EXEMPT,
): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith('x-amz-') && !signedHeaders.includes(name))
    .filter((name) => !exempt.includes(name));
}

/** Builds the SigV4 canonical request text. */
export function canonicalRequestV4(input: CanonicalRequestV4Input): string {
  const signedHeaders = normalizeSignedHeaders(input.signedHeaders);
  return [
    input.method,
    canonicalUriV4(input.rawPath),
    canonicalQueryV4(input.rawQuery, input.presigned),
    canonicalHeadersV4(input.headers, signedHeaders),
    signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** The three variable parts of a credential scope. */
export interface ScopeV4 {
  /** `yyyymmdd`. */
  date: string;
  region: string;
  service: string;
}

/** `yyyymmdd/region/service/aws4_request`. */
export function scopeStringV4(scope: ScopeV4): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

/** Hex SHA-256 of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Derives the signing key: HMAC chain over date, region, service and `aws4_request`. */
export function deriveSigningKeyV4(secretAccessKey: string, scope: ScopeV4): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, scope.date);
  const regionKey = hmac(dateKey, scope.region);
  const serviceKey = hmac(regionKey, scope.service);
  return hmac(serviceKey, 'aws4_request');
}

/**
 * The string to sign for a request. The canonical request is hashed byte for byte: every part
 * of it is ASCII except header values, which are wire strings (see request-parts.ts).
 */
export function stringToSignV4(amzDate: string, scope: string, canonicalRequest: string): string {
  const hash = sha256Hex(wireBytes(canonicalRequest));
  return `${AWS4_ALGORITHM}\n${amzDate}\n${scope}\n${hash}`;
}

/** Hex HMAC-SHA256 of `stringToSign` under a derived signing key. */
export function signStringV4(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** Computes the request signature from its canonical input. */
export function signatureV4(
  input: CanonicalRequestV4Input,
  amzDate: string,
  scope: ScopeV4,
  signingKey: Buffer,
): string {
  const toSign = stringToSignV4(amzDate, scopeStringV4(scope), canonicalRequestV4(input));
  return signStringV4(signingKey, toSign);
}

/** Signature of one aws-chunked chunk, chained from the previous signature. */
export function chunkSignatureV4(
  signingKey: Buffer,
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  const toSign = [
    'AWS4-HMAC-SHA256-PAYLOAD',
    amzDate,
    scope,
    previousSignature,
    EMPTY_SHA256_HEX,
    chunkSha256Hex,
  ].join('\n');
  return signStringV4(signingKey, toSign);
}

/** Signature of the trailer of an aws-chunked body; `trailerSha256Hex` hashes `name:value\n`s. */
export function trailerSignatureV4(
  signingKey: Buffer,
  amzDate: string,
  scope: string,
  previousSignature: string,
  trailerSha256Hex: string,
): string {
  const toSign = ['AWS4-HMAC-SHA256-TRAILER', amzDate, scope, previousSignature, trailerSha256Hex];
  return signStringV4(signingKey, toSign.join('\n'));
}

/** A parsed `Credential=` value. */
export interface CredentialV4 {
  accessKeyId: string;
  scope: ScopeV4;
}

/**
 * Parses `AKID/yyyymmdd/region/service/aws4_request`. Any region is accepted; the service
 * must equal `expectedService`.
 */
export function parseCredentialV4(
  credential: string,
  expectedService: string,
): CredentialV4 | AuthFailure {
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  const bad = (why: string): AuthFailure =>
    authFailure('AuthorizationHeaderMalformed', `The authorization header is malformed; ${why}`);
  if (parts.length !== 5 || !accessKeyId || !date || !region || service === undefined) {
    return bad(
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  if (!/^\d{8}$/.test(date)) return bad(`incorrect date format "${date}".`);
  if (service !== expectedService) {
    return bad(`incorrect service "${service}". This endpoint belongs to "${expectedService}".`);
  }
  if (terminator !== 'aws4_request') {
    return bad(`incorrect terminal "${terminator}". This endpoint uses "aws4_request".`);
  }
  return { accessKeyId, scope: { date, region, service } };
}

/** A parsed `Authorization: AWS4-HMAC-SHA256 …` header. */
export interface AuthorizationV4 {
  credential: CredentialV4;
  signedHeaders: string[];
  signature: string;
}

/** Parses the value of a SigV4 Authorization header. */
export function parseAuthorizationV4(
  header: string,
  expectedService: string,
): AuthorizationV4 | AuthFailure {
  const malformed = authFailure(
    'AuthorizationHeaderMalformed',
    'The authorization header is malformed; expecting ' +
      '"AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".',
  );
  if (!header.startsWith(`${AWS4_ALGORITHM} `)) return malformed;
  const fields = new Map<string, string>();
  for (const piece of header.slice(AWS4_ALGORITHM.length + 1).split(',')) {
    const text = piece.trim();
    const eq = text.indexOf('=');
    if (eq <= 0 || fields.has(text.slice(0, eq))) return malformed;
    fields.set(text.slice(0, eq), text.slice(eq + 1));
  }
  const credentialText = fields.get('Credential');
  const signedHeadersText = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (fields.size !== 3 || !credentialText || !signedHeadersText || signature === undefined) {
    return malformed;
  }
  const credential = parseCredentialV4(credentialText, expectedService);
  if ('code' in credential) return credential;
  if (!isSignatureHex(signature)) return malformed;
  const signedHeaders = normalizeSignedHeaders(signedHeadersText.split(';'));
  if (signedHeaders.includes('')) return malformed;
  return { credential, signedHeaders, signature };
}
