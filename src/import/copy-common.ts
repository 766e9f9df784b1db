/**
 * What copying one object (single or multipart) shares: the job, the headers an object
 * keeps, and a byte-counting pass-through whose failure on either side ends both.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { EtagChange } from './core/report.js';
import type { ListedObject } from './core/xml.js';
import type { Keys } from './s3-http.js';
import type { Store } from './store.js';

/** A reason an object cannot be copied that no retry will change. */
export class NotCopyable extends Error {}

/** One object to copy and where its progress goes. */
export interface CopyJob {
  source: Store;
  target: Store;
  bucket: string;
  object: ListedObject;
  /** The object owner's keys (the same on both sides). */
  keys: Keys;
  /** Called with every chunk's size as it reaches the target (negative to take back). */
  onBytes: (bytes: number) => void;
}

/** An object to copy before its owner is known: who may read its ACL, and owners' keys. */
export interface ObjectTask extends Omit<CopyJob, 'keys'> {
  /** Keys to read the ACL with, most likely first (the listed owner, the bucket's writers). */
  readers: Keys[];
  /** The keys of the user with this canonical id; throws the reason it has none. */
  ownerKeys: (ownerId: string) => Keys;
}

/** What a copy did. */
export interface Copied {
  bytes: number;
  etagChange?: EtagChange;
}

const CARRIED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
];

/** The headers of a source answer that the object keeps: standard ones and x-amz-meta-*. */
export function carriedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const carried: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (CARRIED_HEADERS.includes(name) || name.startsWith('x-amz-meta-')) {
      carried[name] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  return carried;
}

/**
 * The object's tags (Tagging XML) when the source's answer counts some; S3 only says how
 * many in x-amz-tagging-count, so they are read separately.
 */
export async function tagsOf(job: CopyJob, headers: IncomingHttpHeaders) {
  const count = Number(headers['x-amz-tagging-count'] ?? 0);
  if (!(count > 0)) return undefined;
  return job.source.getTagging(job.keys, job.bucket, job.object.key);
}

/** The Content-Length of a source answer; an answer without one cannot be streamed across. */
export function contentLengthOf(response: IncomingMessage): number {
  const length = Number(response.headers['content-length']);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new Error('the source answered without a Content-Length');
  }
  return length;
}

/** `source` passed through with every chunk reported; an error of either side ends both. */
export function counted(source: Readable, onChunk: (chunk: Buffer) => void): Readable {
  const through = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
  pipeline(source, through, () => undefined);
  return through;
}
