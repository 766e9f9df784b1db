// Client-side SigV4: the CLI and the benchmark load generator sign their own requests with these,
// so they exercise exactly the canonicalization the server verifies with (sigv4.ts). They take
// the time as an argument like the rest of auth/, and never read credentials themselves.

import {
  AWS4_ALGORITHM,
  UNSIGNED_PAYLOAD,
  deriveSigningKeyV4,
  formatAmzDate,
  scopeStringV4,
  signatureV4,
  type ScopeV4,
} from './sigv4.js';
import { splitRawUrl, uriEncode } from './request-parts.js';
import type { Credentials } from './types.js';

/** A request a client is about to send. */
export interface ClientRequest {
  method: string;
  /** A full URL, or `path?query` already percent-encoded (then `headers.host` is required). */
  url: URL | string;
  /** Headers that will be sent (any case). All of them are signed except hop-by-hop ones. */
  headers?: Readonly<Record<string, string>>;
}

/** Options of the client signers. */
export interface ClientSignOptions {
  /** Signing service name; `s3` unless testing against generic SigV4 vectors. */
  service?: string;
}

const UNSIGNABLE_HEADERS = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

interface ClientTarget {
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
}

function clientTarget(request: ClientRequest): ClientTarget {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (typeof request.url === 'string') {
    if (headers.host === undefined) throw new Error('signing a path needs a host header');
    return { ...splitRawUrl(request.url), headers };
  }
  headers.host ??= request.url.host;
  return { rawPath: request.url.pathname, rawQuery: request.url.search.slice(1), headers };
}

function signableHeaderNames(headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .filter((name) => !UNSIGNABLE_HEADERS.has(name))
    .sort();
}

/**
 * Signs a request with an Authorization header.
 *
 * @param request - the request; `host` comes from `headers.host` or the URL.
 * @param payloadSha256Hex - hex SHA-256 of the body, `UNSIGNED-PAYLOAD` or a `STREAMING-…` value.
 * @param nowMs - signing time, epoch milliseconds.
 * @returns the headers to add: `authorization`, `x-amz-date`, `x-amz-content-sha256`.
 */
export function signV4(
  request: ClientRequest & { payloadSha256Hex: string },
  credentials: Credentials,
  region: string,
  nowMs: number,
  options: ClientSignOptions = {},
): Record<string, string> {
  const target = clientTarget(request);
  const amzDate = formatAmzDate(nowMs);
  const added = { 'x-amz-date': amzDate, 'x-amz-content-sha256': request.payloadSha256Hex };
  const headers = { ...target.headers, ...added };
  const signedHeaders = signableHeaderNames(headers);
  const scope: ScopeV4 = { date: amzDate.slice(0, 8), region, service: options.service ?? 's3' };
  const input = {
    method: request.method,
    rawPath: target.rawPath,
    rawQuery: target.rawQuery,
    headers,
    signedHeaders,
    payloadHash: request.payloadSha256Hex,
    presigned: false,
  };
  const signingKey = deriveSigningKeyV4(credentials.secretAccessKey, scope);
  const signature = signatureV4(input, amzDate, scope, signingKey);
  const authorization =
    `${AWS4_ALGORITHM} Credential=${credentials.accessKeyId}/${scopeStringV4(scope)}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { ...added, authorization };
}

/**
 * Presigns a request: returns its URL with the `X-Amz-*` query parameters and signature added.
 * The body is not signed (`UNSIGNED-PAYLOAD`).
 *
 * @param expiresSec - validity in seconds, 1..604800.
 * @param nowMs - signing time, epoch milliseconds.
 * @returns a full URL string when given a URL, else `path?query`.
 */
export function presignV4(
  request: ClientRequest,
  credentials: Credentials,
  region: string,
  nowMs: number,
  expiresSec: number,
  options: ClientSignOptions = {},
): string {
  if (!Number.isInteger(expiresSec) || expiresSec < 1 || expiresSec > 604800) {
    throw new RangeError(`presign expiry must be 1..604800 seconds, got ${expiresSec}`);
  }
  const target = clientTarget(request);
  const amzDate = formatAmzDate(nowMs);
  const scope: ScopeV4 = { date: amzDate.slice(0, 8), region, service: options.service ?? 's3' };
  const signedHeaders = signableHeaderNames(target.headers);
  const authQuery = [
    `X-Amz-Algorithm=${AWS4_ALGORITHM}`,
    `X-Amz-Credential=${uriEncode(`${credentials.accessKeyId}/${scopeStringV4(scope)}`)}`,
    `X-Amz-Date=${amzDate}`,
    `X-Amz-Expires=${expiresSec}`,
    `X-Amz-SignedHeaders=${uriEncode(signedHeaders.join(';'))}`,
  ].join('&');
  const rawQuery = target.rawQuery === '' ? authQuery : `${target.rawQuery}&${authQuery}`;
  const input = {
    method: request.method,
    rawPath: target.rawPath,
    rawQuery,
    headers: target.headers,
    signedHeaders,
    payloadHash: UNSIGNED_PAYLOAD,
    presigned: true,
  };
  const signingKey = deriveSigningKeyV4(credentials.secretAccessKey, scope);
  const signature = signatureV4(input, amzDate, scope, signingKey);
  const pathAndQuery = `${target.rawPath}?${rawQuery}&X-Amz-Signature=${signature}`;
  return typeof request.url === 'string' ? pathAndQuery : `${request.url.origin}${pathAndQuery}`;
}
