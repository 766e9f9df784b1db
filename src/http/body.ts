/**
 * A request body as the handlers consume it: the raw stream piped through the payload
 * verifier that authentication asked for (signed hash, aws-chunked with chunk signatures,
 * trailing checksums), with the declared length and Content-MD5 checked at the end.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import { bodyVerifier } from '../auth/body-verifier.js';
import { CHECKSUM_ALGORITHMS, checksumHeaderName } from '../auth/checksums.js';
import type { RequestContext as S3Context } from './context.js';
import { S3Error } from './errors.js';
import { bodyInvited } from './expect-continue.js';

/** A verified body stream and the checks to run once it has been read to its end. */
export interface VerifiedBody {
  stream: AsyncIterable<Buffer>;
  /** Throws S3Error unless `size` and `md5` match what the client declared. */
  check(written: { size: number; md5: Buffer }): void;
  /** Flexible checksums the verifier confirmed, algorithm → base64. */
  checksums(): Record<string, string>;
}

/**
 * Before an error answer, what becomes of the rest of the request body. A body a handler
 * began to read and gave up on (a bad chunk signature, a capped XML body) is read to its
 * end and dropped, as Node drops a body no handler touched: the client, which may read the
 * answer only once it has sent everything, is never cut off mid-send, and the connection
 * serves its next request. A body never invited (Expect: 100-continue) is left alone: the
 * answer closes the connection instead (expect-continue.ts).
 */
export function drainAbandonedBody(raw: IncomingMessage): void {
  if (raw.complete || raw.destroyed || !bodyInvited(raw)) return;
  raw.unpipe();
  // An async iterator left mid-body (a form reader that threw) holds a 'readable' listener,
  // which would keep the stream from flowing; nothing reads this body any more. A 'data'
  // listener that drops every byte keeps it flowing whatever Readable decides on its next tick.
  if (raw.listenerCount('readable') > 0) raw.removeAllListeners('readable');
  raw.on('data', discard);
  raw.resume();
}

function discard(): void {}

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
  const raw = ctx.request.raw;
  // Not pipeline(): a failed verifier would destroy the request and its socket with it, and
  // the error answer would never reach the client. pipe() leaves `raw` to drainAbandonedBody.
  raw.pipe(verifier.stream);
  finished(raw, (error) => {
    if (error) verifier.stream.destroy(error);
  });
  return {
    stream: verifier.stream,
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

/** A Content-MD5 value's digest; InvalidDigest when it is not 16 bytes in base64. */
export function parseContentMd5(value: string | string[] | undefined): Buffer | undefined {
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
