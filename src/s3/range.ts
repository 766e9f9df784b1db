/**
 * HTTP Range for GetObject, as S3 reads it: one range of the forms bytes=a-b, bytes=a- and
 * bytes=-n. A header S3 would ignore (bad syntax, several ranges) means the whole object;
 * a well-formed range that misses the object is InvalidRange (416).
 */
import { S3Error } from '../http/errors.js';

/** An inclusive byte range within an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The range to serve, undefined for the whole object. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(size);
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): S3Error {
  return new S3Error('InvalidRange', undefined, {
    fields: { RangeRequested: 'bytes', ActualObjectSize: String(size) },
    headers: { 'content-range': `bytes */${size}` },
  });
}
