/**
 * Conditional GET and HEAD (RFC 7232 as S3 applies it): If-Match and If-Unmodified-Since
 * fail with 412; If-None-Match and If-Modified-Since answer 304. An If-Match that holds
 * overrides a failing If-Unmodified-Since, and If-None-Match overrides If-Modified-Since.
 */
import { S3Error } from '../http/errors.js';

/** Throws PreconditionFailed or NotModified when the conditions say so. */
export function checkConditions(
  headers: Record<string, string | string[] | undefined>,
  etag: string,
  lastModifiedMs: number,
): void {
  const ifMatch = text(headers['if-match']);
  const ifNoneMatch = text(headers['if-none-match']);
  const ifModifiedSince = httpDate(headers['if-modified-since']);
  const ifUnmodifiedSince = httpDate(headers['if-unmodified-since']);
  const modifiedSeconds = Math.floor(lastModifiedMs / 1000);
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, etag)) throw new S3Error('PreconditionFailed');
  } else if (ifUnmodifiedSince !== undefined && modifiedSeconds > ifUnmodifiedSince) {
    throw new S3Error('PreconditionFailed');
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, etag)) throw notModified(etag);
  } else if (ifModifiedSince !== undefined && modifiedSeconds <= ifModifiedSince) {
    throw notModified(etag);
  }
}

function notModified(etag: string): S3Error {
  return new S3Error('NotModified', undefined, { headers: { etag: `"${etag}"` } });
}

function etagListMatches(list: string, etag: string): boolean {
  return list
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((tag) => tag === '*' || tag === etag);
}

function text(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function httpDate(value: string | string[] | undefined): number | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
