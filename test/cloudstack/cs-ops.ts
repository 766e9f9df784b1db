/**
 * The S3 operations CloudStack's S3Utils calls, over CsWire, returning what SDK v1 would
 * hand S3Utils (and failing where SDK v1 would throw). Listings always ask for
 * `encoding-type=url` and decode Key/Prefix/Marker/NextMarker as SDK v1's parser does.
 */
import { XMLParser } from 'fast-xml-parser';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { CsWire, WireResponse } from './cs-wire.js';
import { presignQueryV2, presignQueryV4 } from './sdk-v1-signers.js';

const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: true,
  isArray: (name) => name === 'Contents' || name === 'Upload' || name === 'Bucket',
});

/** Parses an XML answer; the root element's children. */
export function parseXml(body: Buffer): Record<string, unknown> {
  return parser.parse(body.toString('utf8')) as Record<string, unknown>;
}

/** An S3 error thrown like SDK v1's AmazonS3Exception. */
export class CsS3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${code}`);
  }
}

function ok(response: WireResponse, what: string, expected = [200]): WireResponse {
  if (!expected.includes(response.status)) {
    const code = /<Code>([^<]*)<\/Code>/.exec(response.body.toString())?.[1] ?? '';
    throw new CsS3Error(response.status, code, what);
  }
  return response;
}

/** An unquoted ETag. */
export const unquote = (etag: unknown) => String(etag ?? '').replace(/^"|"$/g, '');

/** Options of PutObject. */
export interface PutOptions {
  contentType?: string;
  contentMd5?: string;
  storageClass?: string;
}

function objectHeaders(options: PutOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.contentMd5) headers['Content-MD5'] = options.contentMd5;
  if (options.storageClass) headers['x-amz-storage-class'] = options.storageClass;
  return headers;
}

/** PutObject of `length` bytes from `stream`; resolves with the unquoted ETag. */
export async function putObject(
  wire: CsWire,
  key: string,
  body: Buffer | { stream: Readable; length: number },
  options: PutOptions = {},
): Promise<{ etag: string; response: WireResponse }> {
  const response = ok(
    await wire.call({
      method: 'PUT',
      key,
      body,
      headers: objectHeaders(options),
      contentType: options.contentType ?? 'application/octet-stream',
    }),
    `PutObject ${key}`,
  );
  return { etag: unquote(response.headers.etag), response };
}

/** InitiateMultipartUpload; resolves with the upload id and the parsed answer. */
export async function initiateMultipart(wire: CsWire, key: string, options: PutOptions = {}) {
  const response = ok(
    await wire.call({
      method: 'POST',
      key,
      query: [['uploads']],
      emptyBody: true,
      headers: objectHeaders(options),
      ...(options.contentType ? { contentType: options.contentType } : {}),
    }),
    `InitiateMultipartUpload ${key}`,
  );
  const result = parseXml(response.body)['InitiateMultipartUploadResult'] as Record<string, string>;
  return { uploadId: result['UploadId']!, result };
}

/** UploadPart; resolves with the unquoted ETag and the response (for `continued`). */
export async function uploadPart(
  wire: CsWire,
  key: string,
  uploadId: string,
  partNumber: number,
  body: Buffer | { stream: Readable; length: number },
): Promise<{ etag: string; response: WireResponse }> {
  const response = await wire.call({
    method: 'PUT',
    key,
    query: [
      ['uploadId', uploadId],
      ['partNumber', String(partNumber)],
    ],
    body,
  });
  ok(response, `UploadPart ${partNumber} of ${key}`);
  return { etag: unquote(response.headers.etag), response };
}

/** The Complete body as SDK v1's RequestXmlFactory writes it. */
export function completeXml(parts: ReadonlyArray<{ partNumber: number; etag: string }>): string {
  const items = parts.map(
    (p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${p.etag}"</ETag></Part>`,
  );
  return `<CompleteMultipartUpload>${items.join('')}</CompleteMultipartUpload>`;
}

/** CompleteMultipartUpload; returns the raw response (callers check status and time). */
export function completeMultipart(
  wire: CsWire,
  key: string,
  uploadId: string,
  parts: ReadonlyArray<{ partNumber: number; etag: string }>,
): Promise<WireResponse> {
  return wire.call({
    method: 'POST',
    key,
    query: [['uploadId', uploadId]],
    body: Buffer.from(completeXml(parts)),
    contentType: 'application/xml',
  });
}

/** AbortMultipartUpload. */
export function abortMultipart(wire: CsWire, key: string, uploadId: string) {
  return wire.call({ method: 'DELETE', key, query: [['uploadId', uploadId]] });
}

/** HeadObject, optionally of one part. */
export function headObject(wire: CsWire, key: string, partNumber?: number) {
  const query: Array<[string, string]> = partNumber ? [['partNumber', String(partNumber)]] : [];
  return wire.call({ method: 'HEAD', key, query });
}

/** GetObject; the caller consumes `message` (or destroys it, as the QCOW2 probe does). */
export async function getObject(
  wire: CsWire,
  key: string,
  options: { range?: string; partNumber?: number } = {},
): Promise<IncomingMessage> {
  const query: Array<[string, string]> = options.partNumber
    ? [['partNumber', String(options.partNumber)]]
    : [];
  const headers: Record<string, string> = options.range ? { Range: options.range } : {};
  return (await wire.open({ method: 'GET', key, query, headers })).message;
}

/** DeleteObject; the raw response (204 expected even for a missing key). */
export function deleteObject(wire: CsWire, key: string) {
  return wire.call({ method: 'DELETE', key });
}

/** One listing page, decoded. */
export interface ListPage {
  keys: Array<{ key: string; rawKey: string; etag: string; size: number; lastModified: string }>;
  isTruncated: boolean;
  nextMarker?: string;
  encodingType?: string;
  raw: Record<string, unknown>;
}

const urlDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));

/** ListObjects (v1) with `encoding-type=url`; `marker` and `prefix` as S3Utils passes them. */
export async function listObjects(
  wire: CsWire,
  options: { prefix?: string; marker?: string },
): Promise<ListPage> {
  const query: Array<[string, string]> = [['encoding-type', 'url']];
  if (options.prefix !== undefined) query.push(['prefix', options.prefix]);
  if (options.marker !== undefined) query.push(['marker', options.marker]);
  const response = ok(await wire.call({ method: 'GET', query }), 'ListObjects');
  const raw = parseXml(response.body)['ListBucketResult'] as Record<string, unknown>;
  const contents = (raw['Contents'] as Array<Record<string, string>> | undefined) ?? [];
  const keys = contents.map((c) => ({
    key: urlDecode(c['Key']!),
    rawKey: c['Key']!,
    etag: c['ETag']!,
    size: Number(c['Size']),
    lastModified: c['LastModified']!,
  }));
  const isTruncated = raw['IsTruncated'] === 'true';
  const next = raw['NextMarker'] as string | undefined;
  // SDK v1: without NextMarker, the next marker of a truncated page is its last key.
  const nextMarker = next ? urlDecode(next) : isTruncated ? keys.at(-1)?.key : undefined;
  return {
    keys,
    isTruncated,
    ...(nextMarker !== undefined ? { nextMarker } : {}),
    ...(raw['EncodingType'] ? { encodingType: String(raw['EncodingType']) } : {}),
    raw,
  };
}

/** Every key under `prefix`, page by page. */
export async function listAll(wire: CsWire, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await listObjects(wire, { prefix, ...(marker ? { marker } : {}) });
    keys.push(...page.keys.map((k) => k.key));
    if (!page.isTruncated) return keys;
    marker = page.nextMarker;
  }
}

/** A presigned GET URL as S3Utils.generatePresignedUrl makes it, valid `expiresSec`. */
export function presignGet(wire: CsWire, key: string, expiresSec: number, nowMs = Date.now()) {
  const { host, path, resource } = wire.address(key);
  const base = `http://${host}${path}`;
  if (wire.mode.signer === 'v2') {
    const expiresAt = Math.floor(nowMs / 1000) + expiresSec;
    return `${base}?${presignQueryV2(wire.mode.keys, resource, expiresAt)}`;
  }
  const target = { method: 'GET', encodedPath: path, host, region: wire.target.region };
  return `${base}?${presignQueryV4(wire.mode.keys, target, nowMs, expiresSec)}`;
}

/** Key of a file under a mode's account, in CloudStack's layout. */
export function csKey(kind: 'template' | 'volume' | 'snapshot', acct: number, rest: string) {
  const top = { template: 'template/tmpl', volume: 'volumes', snapshot: 'snapshots' }[kind];
  return `${top}/${acct}/${rest}`;
}
