/**
 * Copies a multipart object so it keeps its "md5-N" ETag: the same N parts with the same
 * boundaries. The boundaries come from HEAD ?partNumber=i where the source serves it (S3,
 * Cairn); otherwise the likely uniform part sizes are hashed in one read and the one that
 * gives the source's ETag is used. When none does, the object is still copied whole, in
 * parts of a default size, and reported with its new ETag. Each part is read with a Range
 * and If-Match, so an object overwritten mid-copy fails instead of mixing versions; the
 * upload is completed only when the parts' MD5s give the expected ETag, else aborted.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  candidatePartSizes,
  multipartCount,
  multipartEtag,
  PartHasher,
  uniformParts,
} from './core/parts.js';
import { unquoteEtag } from './core/xml.js';
import {
  carriedHeaders,
  contentLengthOf,
  counted,
  tagsOf,
  type Copied,
  type CopyJob,
} from './copy-common.js';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const MIB = 1024 * 1024;

/** What the source says about the whole object. */
interface SourceObject {
  headers: IncomingHttpHeaders;
  etag: string;
  size: number;
  count: number;
}

/** Copies a multipart object; see the file comment. */
export async function copyMultipart(job: CopyJob, grants: Record<string, string>): Promise<Copied> {
  const headers = await job.source.headObject(job.keys, job.bucket, job.object.key);
  const etag = unquoteEtag(String(headers['etag'] ?? ''));
  const size = Number(headers['content-length']);
  const count = multipartCount(etag);
  if (count === undefined || !Number.isSafeInteger(size)) {
    throw new Error('the object changed on the source during the import (try again)');
  }
  const object: SourceObject = { headers, etag, size, count };
  const tags = await tagsOf(job, headers);
  const known = await sourceBoundaries(job, object);
  const sizes = known ?? (await guessedBoundaries(job, object));
  const cut = sizes ?? uniformParts(size, Math.max(8 * MIB, Math.ceil(size / 10_000)));
  const stored = await upload(job, object, cut, grants, sizes ? etag : undefined);
  // CreateMultipartUpload takes no tags everywhere (Cairn ignores x-amz-tagging there).
  if (tags !== undefined) await job.target.putTagging(job.keys, job.bucket, job.object.key, tags);
  return { bytes: size, ...(stored === etag ? {} : { etagChange: change(job, etag, stored) }) };
}

function change(job: CopyJob, sourceEtag: string, targetEtag: string) {
  const reason =
    'the source does not give part boundaries (HEAD ?partNumber) and no uniform part size ' +
    'reproduces its ETag';
  return { bucket: job.bucket, key: job.object.key, sourceEtag, targetEtag, reason };
}

/** Part sizes from HEAD ?partNumber=1..N, or undefined when the source does not serve it. */
async function sourceBoundaries(job: CopyJob, object: SourceObject): Promise<number[] | undefined> {
  const sizes: number[] = [];
  for (let part = 1; part <= object.count; part++) {
    const head = await job.source.headPart(job.keys, job.bucket, job.object.key, part);
    if (!head || head.count !== object.count || unquoteEtag(head.etag) !== object.etag)
      return undefined;
    sizes.push(head.size);
  }
  return sizes.reduce((a, b) => a + b, 0) === object.size ? sizes : undefined;
}

/** The uniform cut (of the likely part sizes) that gives the source's ETag, if any. */
async function guessedBoundaries(
  job: CopyJob,
  object: SourceObject,
): Promise<number[] | undefined> {
  const candidates = candidatePartSizes(object.size, object.count);
  if (candidates.length === 0) return undefined;
  const hashers = candidates.map((size) => new PartHasher(uniformParts(object.size, size)));
  const response = await job.source.getObject(job.keys, job.bucket, job.object.key, {
    'if-match': `"${object.etag}"`,
  });
  for await (const chunk of response as AsyncIterable<Buffer>) {
    for (const hasher of hashers) hasher.update(chunk);
  }
  const found = hashers.findIndex((hasher) => hasher.etag() === object.etag);
  return found < 0 ? undefined : uniformParts(object.size, candidates[found]!);
}

/** Aborts uploads of this key left by an interrupted run: they would never complete. */
async function abortStale(job: CopyJob): Promise<void> {
  for (const id of await job.target.uploadsOf(job.keys, job.bucket, job.object.key)) {
    await job.target.abortUpload(job.keys, job.bucket, job.object.key, id);
  }
}

/** Uploads the parts and completes, when the parts give `expected` (if given); the ETag. */
async function upload(
  job: CopyJob,
  object: SourceObject,
  sizes: number[],
  grants: Record<string, string>,
  expected: string | undefined,
): Promise<string> {
  const { target, keys, bucket } = job;
  const key = job.object.key;
  await abortStale(job);
  const uploadId = await target.createUpload(keys, bucket, key, {
    ...carriedHeaders(object.headers),
    ...grants,
  });
  let sent = 0;
  try {
    const md5s: Buffer[] = [];
    for (let i = 0, offset = 0; i < sizes.length; offset += sizes[i]!, i++) {
      md5s.push(await copyPart(job, object, uploadId, i + 1, offset, sizes[i]!));
      sent += sizes[i]!;
    }
    const etag = multipartEtag(md5s);
    if (expected !== undefined && etag !== expected) {
      throw new Error(`the parts read give ETag ${etag}, not the source's ${expected}`);
    }
    const etags = md5s.map((md5) => `"${md5.toString('hex')}"`);
    const stored = unquoteEtag(await target.completeUpload(keys, bucket, key, uploadId, etags));
    if (stored !== etag) throw new Error(`the target completed with ETag ${stored}, not ${etag}`);
    return stored;
  } catch (error) {
    job.onBytes(-sent);
    await target.abortUpload(keys, bucket, key, uploadId).catch(() => undefined);
    throw error;
  }
}

/** Copies bytes [offset, offset+size) as part `part`; the part's MD5. */
async function copyPart(
  job: CopyJob,
  object: SourceObject,
  uploadId: string,
  part: number,
  offset: number,
  size: number,
): Promise<Buffer> {
  const { source, target, keys, bucket } = job;
  const key = job.object.key;
  if (size === 0) {
    const empty = { 'content-length': '0' };
    await target.uploadPart(keys, bucket, key, uploadId, part, empty, Readable.from([]));
    return createHash('md5').digest();
  }
  const response = await source.getObject(keys, bucket, key, {
    range: `bytes=${offset}-${offset + size - 1}`,
    'if-match': `"${object.etag}"`,
  });
  const md5 = createHash('md5');
  let sent = 0;
  try {
    if (contentLengthOf(response) !== size)
      throw new Error(`the source did not serve part ${part}`);
    const body = counted(response, (chunk) => {
      md5.update(chunk);
      sent += chunk.length;
      job.onBytes(chunk.length);
    });
    const headers = { 'content-length': String(size) };
    const etag = await target.uploadPart(keys, bucket, key, uploadId, part, headers, body);
    const digest = md5.digest();
    if (unquoteEtag(etag) !== digest.toString('hex')) {
      throw new Error(`part ${part} reached the target damaged`);
    }
    return digest;
  } catch (error) {
    response.destroy();
    job.onBytes(-sent);
    throw error;
  }
}
