/**
 * A request body as the handlers consume it: the raw stream piped through the payload
 * verifier that authentication asked for (signed hash, aws-chunked with chunk signatures,
 * trailing checksums), with the declared length and Content-MD5 checked at the end.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream';
import { bodyVerifier } from '../auth/body-verifier.js';
import { CHECKSUM_ALGORITHMS, checksumHeaderName } from '../auth/checksums.js';
import type { RequestContext as S3Context } from './context.js';
import { S3Error } from './errors.js';

/** A verified body stream and the checks to run once it has been read to its end. */
export interface VerifiedBody {
  stream: AsyncIterable<Buffer>;
  /** Throws S3Error unless `size` and `md5` match what the client declared. */
  check(written: { size: number; md5: Buffer }): void;
  /** Flexible checksums the verifier confirmed, algorithm → base64. */
  checksums(): Record<string, string>;
}

/** Requests whose body a handler began to read and has not read to its end. */
const bodiesStarted = new WeakSet<object>();

/**
 * Whether a handler began reading this request's body and gave up part-way: the stream
 * is torn down, so the connection cannot carry another request and must be closed. (A body
 * never touched is drained by Node and the connection kept.)
 */
export function bodyAbandoned(raw: { complete: boolean }): boolean {
  return bodiesStarted.has(raw) && !raw.complete;
}

/** How a handler reads a body. */
export interface BodyOptions {
  /**
   * The request's x-amz-checksum-* headers describe an object, not this body (as on
   * CompleteMultipartUpload): they are left to the handler instead of checked here.
   */
  objectChecksumHeaders?: boolean;
}

/** The body of an upload; MissingContentLength when its length is not declared. */
export function verifiedBody(ctx: S3Context, options: BodyOptions = {}): VerifiedBody {
  const headers = ctx.request.headers;
  const declaredBytes = declaredLength(ctx);
  const contentMd5 = parseContentMd5(headers['content-md5']);
  const distinct = ctx.request.raw.headersDistinct;
  const verifier = bodyVerifier(
    ctx.payload,
    options.objectChecksumHeaders ? withoutChecksumValues(distinct) : distinct,
  );
  const stream = pipeline(ctx.request.raw, verifier.stream, () => undefined);
  const raw = ctx.request.raw;
  bodiesStarted.add(raw);
  stream.once('end', () => bodiesStarted.delete(raw));
  return {
    stream,
    checksums: () => verifier.checksums(),
    check(written) {
      if (declaredBytes !== undefined && written.size !== declaredBytes) {
        throw new S3Error('IncompleteBody');
      }
      if (contentMd5 && !contentMd5.equals(written.md5)) throw new S3Error('BadDigest');
    },
  };
}

/** The headers without x-amz-checksum-<algorithm> values (its -algorithm and -type stay). */
function withoutChecksumValues(headers: NodeJS.Dict<string[]>): NodeJS.Dict<string[]> {
  const values = new Set(CHECKSUM_ALGORITHMS.map(checksumHeaderName));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !values.has(name)));
}

function declaredLength(ctx: S3Context): number | undefined {
  const headers = ctx.request.headers;
  const decoded = headers['x-amz-decoded-content-length'];
  const raw = typeof decoded === 'string' ? decoded : headers['content-length'];
  const chunked = String(headers['transfer-encoding'] ?? '').includes('chunked');
  if (raw === undefined) {
    if (chunked) return undefined;
    throw new S3Error('MissingContentLength');
  }
  if (!/^\d+$/.test(raw)) throw new S3Error('InvalidArgument', 'Invalid Content-Length.');
  return Number(raw);
}

function parseContentMd5(value: string | string[] | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  const digest = Buffer.from(text, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== text.trim()) {
    throw new S3Error('InvalidDigest');
  }
  return digest;
}

/** Reads a small body (XML or JSON) whole; MaxMessageLengthExceeded past `bytesMax`. */
export async function readSmallBody(
  ctx: S3Context,
  bytesMax: number,
  options: BodyOptions = {},
): Promise<Buffer> {
  const headers = ctx.request.headers;
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    return Buffer.alloc(0);
  }
  const body = verifiedBody(ctx, options);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body.stream) {
    size += chunk.length;
    if (size > bytesMax) throw new S3Error('MaxMessageLengthExceeded');
    chunks.push(chunk);
  }
  const data = Buffer.concat(chunks);
  body.check({ size, md5: createHash('md5').update(data).digest() });
  return data;
}
