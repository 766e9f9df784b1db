/**
 * The headers an object keeps from its PUT and returns on GET and HEAD: Content-Type and
 * the other standard headers, x-amz-meta-* metadata (2 KiB at most, as S3), and the
 * response-* query overrides of GetObject.
 */
import { checksumTypeOf, type Manifest, type StoredHeaders } from '../objects/manifest.js';
import { S3Error } from '../http/errors.js';
import { storageClassHeaders } from './storage-class.js';

/** S3's limit on user metadata, in bytes of names and values. */
export const METADATA_BYTES_MAX = 2048;

type Headers = Record<string, string | string[] | undefined>;

function one(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The Content-Encoding an object keeps: `aws-chunked` is transport framing, not the object's
 * encoding, so it is taken out of the list (`gzip, aws-chunked` → `gzip`; `aws-chunked`
 * alone → none); a list without it is kept exactly as sent (`deflate, gzip`).
 */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const pieces = value.split(',');
  const isFraming = (piece: string) => piece.trim().toLowerCase() === 'aws-chunked';
  if (!pieces.some(isFraming)) return value;
  const kept = pieces.filter((piece) => !isFraming(piece) && piece.trim() !== '');
  return kept.length === 0 ? undefined : kept.join(',').trim();
}

/** Standard headers of a PUT. */
export function storedHeadersOf(headers: Headers): StoredHeaders {
  const encoding = storedContentEncoding(one(headers, 'content-encoding'));
  const stored: StoredHeaders = {
    contentType: one(headers, 'content-type') ?? 'binary/octet-stream',
  };
  const optional = {
    cacheControl: one(headers, 'cache-control'),
    contentDisposition: one(headers, 'content-disposition'),
    contentEncoding: encoding === '' ? undefined : encoding,
    contentLanguage: one(headers, 'content-language'),
    expires: one(headers, 'expires'),
    websiteRedirectLocation: websiteRedirectOf(headers),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) (stored as unknown as Record<string, string>)[name] = value;
  }
  return stored;
}

/** Longest x-amz-website-redirect-location kept (AWS: 2 KB), in bytes. */
const WEBSITE_REDIRECT_BYTES_MAX = 2048;

/**
 * x-amz-website-redirect-location, checked as AWS does: a path in the bucket ('/…') or an
 * http(s) URL; InvalidRedirectLocation for anything else.
 */
export function websiteRedirectOf(headers: Headers): string | undefined {
  const value = one(headers, 'x-amz-website-redirect-location');
  if (value === undefined) return undefined;
  const shaped = /^(\/|https?:\/\/)/.test(value);
  if (!shaped || Buffer.byteLength(value) > WEBSITE_REDIRECT_BYTES_MAX) {
    throw new S3Error('InvalidRedirectLocation');
  }
  return value;
}

/**
 * The headers a copy that keeps its source's metadata stores: the source's, but the
 * website redirect is the request's own (AWS never copies it from the source).
 */
export function copiedHeadersOf(source: StoredHeaders, headers: Headers): StoredHeaders {
  const { websiteRedirectLocation: _dropped, ...kept } = source;
  const redirect = websiteRedirectOf(headers);
  return redirect === undefined ? kept : { ...kept, websiteRedirectLocation: redirect };
}

/** x-amz-meta-* headers, names lowercased without the prefix; MetadataTooLarge past 2 KiB. */
export function metadataOf(headers: Headers): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const text = Array.isArray(value) ? value.join(',') : value;
    metadata[key] = text;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
  }
  if (bytes > METADATA_BYTES_MAX) throw new S3Error('MetadataTooLarge');
  return metadata;
}

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** Headers of a GET or HEAD answer for `manifest`, with response-* overrides applied. */
export function objectResponseHeaders(
  manifest: Manifest,
  query: URLSearchParams,
  withChecksums: boolean,
): Record<string, string> {
  const h = manifest.headers;
  const out: Record<string, string> = {
    etag: `"${manifest.etag}"`,
    'last-modified': new Date(manifest.lastModifiedMs).toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': h.contentType,
  };
  if (h.cacheControl !== undefined) out['cache-control'] = h.cacheControl;
  if (h.contentDisposition !== undefined) out['content-disposition'] = h.contentDisposition;
  if (h.contentEncoding !== undefined) out['content-encoding'] = h.contentEncoding;
  if (h.contentLanguage !== undefined) out['content-language'] = h.contentLanguage;
  if (h.expires !== undefined) out['expires'] = h.expires;
  if (h.websiteRedirectLocation !== undefined) {
    out['x-amz-website-redirect-location'] = h.websiteRedirectLocation;
  }
  for (const [name, value] of Object.entries(manifest.metadata)) out[`x-amz-meta-${name}`] = value;
  if (manifest.tags?.length) out['x-amz-tagging-count'] = String(manifest.tags.length);
  if (withChecksums) {
    for (const [alg, value] of Object.entries(manifest.checksums)) {
      out[`x-amz-checksum-${alg}`] = value;
      out['x-amz-checksum-type'] = checksumTypeOf(manifest);
    }
  }
  Object.assign(out, storageClassHeaders(manifest));
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const value = query.get(param);
    if (value !== null) out[header] = value;
  }
  return out;
}
