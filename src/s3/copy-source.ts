/**
 * The x-amz-copy-source family of headers of CopyObject and UploadPartCopy: the source's
 * bucket and key (URL-encoded, maybe with a leading slash and ?versionId=), its
 * conditions (each failure is 412, unlike GET's 304) and UploadPartCopy's byte range.
 */
import { checkConditions } from './conditions.js';
import { S3Error } from '../http/errors.js';
import { isVersionId, NULL_VERSION_ID } from '../objects/version-id.js';
import type { ByteRange } from './range.js';

/** The object a copy reads. */
export interface CopySource {
  bucket: string;
  key: string;
}

type Headers = Record<string, string | string[] | undefined>;

function one(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Parses x-amz-copy-source; InvalidArgument when it names no bucket and key. */
export function parseCopySource(raw: string): CopySource {
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  copySourceVersionOf(raw);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalidSource(raw);
  }
  const rest = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw invalidSource(raw);
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/**
 * The version x-amz-copy-source names (?versionId=), if any: "null" or an id of the form
 * this store makes; InvalidArgument for any other.
 */
export function copySourceVersionOf(raw: string): string | undefined {
  const at = raw.indexOf('?');
  if (at < 0) return undefined;
  const versionId = new URLSearchParams(raw.slice(at + 1)).get('versionId');
  if (versionId === null) return undefined;
  if (versionId !== NULL_VERSION_ID && !isVersionId(versionId)) {
    throw new S3Error('InvalidArgument', 'Invalid version id specified', {
      fields: { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw },
    });
  }
  return versionId;
}

function invalidSource(raw: string): S3Error {
  return new S3Error(
    'InvalidArgument',
    'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    { fields: { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw } },
  );
}

/**
 * Throws PreconditionFailed when an x-amz-copy-source-if-* condition fails. The rules are
 * GET's (an If-Match that holds overrides If-Unmodified-Since, If-None-Match overrides
 * If-Modified-Since), but a copy has no 304: every failure is a 412.
 */
export function checkCopySourceConditions(
  headers: Headers,
  etag: string,
  lastModifiedMs: number,
): void {
  const prefix = 'x-amz-copy-source-';
  const mapped: Headers = {};
  for (const name of ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']) {
    const value = one(headers, prefix + name);
    if (value !== undefined) mapped[name] = value;
  }
  try {
    checkConditions(mapped, etag, lastModifiedMs);
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NotModified') {
      throw new S3Error('PreconditionFailed', undefined, {
        fields: { Condition: 'x-amz-copy-source-If-None-Match / If-Modified-Since' },
      });
    }
    throw error;
  }
}

/**
 * Parses x-amz-copy-source-range (bytes=first-last, both present, inclusive) against the
 * source's size: InvalidArgument when it is malformed (or first > last), InvalidRange when
 * it reaches past the source's end.
 */
export function parseCopySourceRange(raw: string | undefined, size: number): ByteRange {
  if (raw === undefined) return { start: 0, end: size - 1 };
  const match = /^bytes=(\d{1,15})-(\d{1,15})$/.exec(raw.trim());
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || start > end) {
    throw new S3Error(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first ' +
        'and last are the zero-based offsets of the first and last bytes to copy',
      {
        fields: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: raw },
      },
    );
  }
  if (end >= size) {
    throw new S3Error(
      'InvalidRange',
      `Range specified is not valid for source object of size: ${size}`,
      { fields: { ActualObjectSize: String(size), RangeRequested: raw } },
    );
  }
  return { start, end };
}

/** The metadata directive of a copy: COPY (the default) or REPLACE. */
export function metadataDirective(headers: Headers): 'COPY' | 'REPLACE' {
  return directive(headers, 'x-amz-metadata-directive', 'Unknown metadata directive.');
}

/** The tagging directive of a copy: COPY (the default: the source's tags) or REPLACE. */
export function taggingDirective(headers: Headers): 'COPY' | 'REPLACE' {
  return directive(headers, 'x-amz-tagging-directive', 'Unknown tagging directive.');
}

function directive(headers: Headers, name: string, message: string): 'COPY' | 'REPLACE' {
  const value = one(headers, name);
  if (value === undefined || value === 'COPY') return 'COPY';
  if (value === 'REPLACE') return 'REPLACE';
  throw new S3Error('InvalidArgument', message, {
    fields: { ArgumentName: name, ArgumentValue: value },
  });
}
