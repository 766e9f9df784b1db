// AWS Signature Version 2 (HMAC-SHA1) for the old clients Riak CS users still run (s3cmd,
// boto2). The string to sign follows boto's `canonical_string`: the path is taken exactly as
// sent (still encoded), and only the sub-resources S3 lists are kept from the query, with their
// values percent-decoded; a sub-resource with an empty value (`?uploads=`) is signed as its bare
// name, as S3, RGW and MinIO sign it and minio-go sends it. The string is signed byte for byte
// (wire strings, see request-parts.ts), so UTF-8 metadata verifies as the client signed it.
// Shared by the verifier (authenticate.ts) and the client signer below. Pure: the time comes in
// as an argument.

import { createHmac } from 'node:crypto';

import { parseRawQuery, percentDecodeBytes, splitRawUrl, wireBytes } from './request-parts.js';
import type { Credentials, HeaderMap } from './types.js';

/**
 * Query parameters that are part of the V2 canonical resource: the list of AWS's S3 docs,
 * as botocore's `HmacV1Auth` keeps it (a superset of boto2's).
 */
export const SIGV2_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'defaultObjectAcl',
  'delete',
  'inventory',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'partNumber',
  'policy',
  'replication',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'select',
  'select-type',
  'storageClass',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

/** What the V2 string to sign covers. */
export interface StringToSignV2Input {
  method: string;
  /** Path and query exactly as sent. */
  rawUrl: string;
  headers: HeaderMap;
  /** Bucket named by the Host header (virtual-hosted style), prepended to the resource. */
  bucketFromHost?: string;
  /** For presigned URLs: the `Expires` value, which replaces the date line. */
  expires?: string;
}

// Only ASCII blanks are trimmed: in a wire string U+00A0 is half of a UTF-8 character.
function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]*/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '');
}

function joinedHeader(headers: HeaderMap, name: string): string {
  const raw = headers[name];
  if (raw === undefined) return '';
  return typeof raw === 'string' ? unfold(raw) : raw.map(unfold).join(',');
}

function canonicalAmzHeadersV2(headers: HeaderMap): string {
  const names = Object.keys(headers)
    .filter((name) => name.toLowerCase().startsWith('x-amz-') && headers[name] !== undefined)
    .sort();
  let block = '';
  for (const name of names) block += `${name.toLowerCase()}:${joinedHeader(headers, name)}\n`;
  return block;
}

/** `name` or `name=value` (value percent-decoded to its bytes) of a kept sub-resource. */
function subresourceV2(rawName: string, rawValue: string | undefined): string {
  if (rawValue === undefined || rawValue === '') return rawName;
  return `${rawName}=${percentDecodeBytes(rawValue, false).toString('latin1')}`;
}

/** `/bucket/key?sub=resource`: the raw path plus the kept sub-resources, sorted by name. */
export function canonicalResourceV2(rawUrl: string, bucketFromHost?: string): string {
  const { rawPath, rawQuery } = splitRawUrl(rawUrl);
  const prefix = bucketFromHost === undefined ? '' : `/${bucketFromHost}`;
  const kept = parseRawQuery(rawQuery, false)
    .filter((param) => SIGV2_SUBRESOURCES.has(param.rawName))
    .sort((a, b) => (a.rawName < b.rawName ? -1 : a.rawName > b.rawName ? 1 : 0));
  const subresources = kept.map((param) => subresourceV2(param.rawName, param.rawValue));
  const resource = `${prefix}${rawPath === '' ? '/' : rawPath}`;
  return subresources.length === 0 ? resource : `${resource}?${subresources.join('&')}`;
}

/**
 * The forms of a request's URL whose V2 signature S3 accepts: the URL itself and, for a
 * path-style request on a bucket alone (`/bucket`), the same with the slash S3 documents
 * for a bucket (`/bucket/`), which botocore signs while it sends `/bucket`.
 */
export function rawUrlVariantsV2(rawUrl: string, bucketFromHost?: string): string[] {
  const { rawPath, rawQuery } = splitRawUrl(rawUrl);
  const bucketOnly = /^\/[^/]+$/.test(rawPath);
  if (bucketFromHost !== undefined || !bucketOnly) return [rawUrl];
  return [rawUrl, rawQuery === '' ? `${rawPath}/` : `${rawPath}/?${rawQuery}`];
}

/**
 * Builds the V2 string to sign: method, Content-MD5, Content-Type, date (empty when
 * `x-amz-date` is sent; `Expires` for presigned URLs), the `x-amz-*` headers, the resource.
 */
export function stringToSignV2(input: StringToSignV2Input): string {
  const { headers } = input;
  let date = headers['x-amz-date'] === undefined ? joinedHeader(headers, 'date') : '';
  if (input.expires !== undefined) date = input.expires;
  return (
    `${input.method}\n${joinedHeader(headers, 'content-md5')}\n` +
    `${joinedHeader(headers, 'content-type')}\n${date}\n` +
    canonicalAmzHeadersV2(headers) +
    canonicalResourceV2(input.rawUrl, input.bucketFromHost)
  );
}

/** Base64 HMAC-SHA1 of the string to sign, taken byte for byte (a wire string). */
export function signatureV2(secretAccessKey: string, stringToSign: string): string {
  return createHmac('sha1', secretAccessKey).update(wireBytes(stringToSign)).digest('base64');
}

/** A request a V2 client is about to send. */
export interface ClientRequestV2 {
  method: string;
  /** Path and query as they will be sent (percent-encoded). */
  rawUrl: string;
  /** Headers that will be sent; names in any case. */
  headers?: Readonly<Record<string, string>>;
  bucketFromHost?: string;
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  return lowered;
}

/**
 * Signs a request with a V2 Authorization header.
 *
 * @param nowMs - signing time, epoch milliseconds; used for `Date` unless one is given.
 * @returns the headers to add: `date` (when absent) and `authorization`.
 */
export function signV2(
  request: ClientRequestV2,
  credentials: Credentials,
  nowMs: number,
): Record<string, string> {
  const headers = lowerCaseHeaders(request.headers);
  const added: Record<string, string> = {};
  if (headers.date === undefined && headers['x-amz-date'] === undefined) {
    added.date = new Date(nowMs).toUTCString();
  }
  const toSign = stringToSignV2({
    method: request.method,
    rawUrl: request.rawUrl,
    headers: { ...headers, ...added },
    bucketFromHost: request.bucketFromHost,
  });
  const signature = signatureV2(credentials.secretAccessKey, toSign);
  return { ...added, authorization: `AWS ${credentials.accessKeyId}:${signature}` };
}

/**
 * Presigns a request with V2 query parameters.
 *
 * @param expiresAtSec - expiry, epoch seconds.
 * @returns `rawUrl` with `AWSAccessKeyId`, `Expires` and `Signature` appended.
 */
export function presignV2(
  request: ClientRequestV2,
  credentials: Credentials,
  expiresAtSec: number,
): string {
  const expires = String(Math.floor(expiresAtSec));
  const toSign = stringToSignV2({
    method: request.method,
    rawUrl: request.rawUrl,
    headers: lowerCaseHeaders(request.headers),
    bucketFromHost: request.bucketFromHost,
    expires,
  });
  const signature = encodeURIComponent(signatureV2(credentials.secretAccessKey, toSign));
  const separator = request.rawUrl.includes('?') ? '&' : '?';
  return (
    `${request.rawUrl}${separator}AWSAccessKeyId=${encodeURIComponent(credentials.accessKeyId)}` +
    `&Expires=${expires}&Signature=${signature}`
  );
}
