/**
 * Copies a multipart object so it keeps its "md5-N" ETag: the same N parts with the same
 * boundaries. The boundaries come from HEAD ?partNumber=i where the source serves it (S3,
 * Cairn). Otherwise the likely uniform part sizes are tried in the same read that uploads
 * the first of them: if the first gives the source's ETag the upload completes; if another
 * does, it is aborted and done again with that one; if none does (Riak CS makes its
 * multipart ETags from the upload id, not the bytes), the first is kept and the object is
 * reported with its new ETag. Each part is read with a Range and If-Match, so an object
 * overwritten mid-copy fails instead of mixing versions; an upload is completed only once
 * its parts' MD5s are known to give the ETag it should have, else aborted.
 */
import {
  abortUpload,
  completeUpload,
  createUpload,
  uploadPart,
  uploadsOf,
} from './upload-calls.js';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
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
  const stored = known
    ? await upload(job, object, known, grants, (made) => made === etag)
    : await guessedUpload(job, object, grants);
  if (stored === undefined) throw new Error(`the parts read do not give the ETag ${etag}`);
  // CreateMultipartUpload takes no tags everywhere (Cairn ignores x-amz-tagging there).
  if (tags !== undefined) await job.target.putTagging(job.keys, job.bucket, job.object.key, tags);
  if (stored === etag) return { bytes: size };
  const reason =
    'the source does not give part boundaries (HEAD ?partNumber) and no uniform part size ' +
    'reproduces its ETag';
  return {
    bytes: size,
    etagChange: {
      bucket: job.bucket,
      key: job.object.key,
      sourceEtag: etag,
      targetEtag: stored,
      reason,
    },
  };
}

/** Part sizes from HEAD ?partNumber=1..N, or undefined when the source does not serve it. */
async function sourceBoundaries(job: CopyJob, object: SourceObject): Promise<number[] | undefined> {
  const sizes: number[] = [];
  for (let part = 1; part <= object.count; part++) {
    const head = await job.source.headPart(job.keys, job.bucket, job.object.key, part);
    if (!head || head.count !== object.count || unquoteEtag(head.etag) !== object.etag) {
      return undefined;
    }
    sizes.push(head.size);
  }
  return sizes.reduce((a, b) => a + b, 0) === object.size ? sizes : undefined;
}

/** Uploads cut at the likeliest uniform size, checking the others in the same read. */
async function guessedUpload(job: CopyJob, object: SourceObject, grants: Record<string, string>) {
  const { size, etag } = object;
  const candidates = candidatePartSizes(size, object.count);
  const first = candidates[0] ?? Math.max(8 * MIB, Math.ceil(size / 10_000));
  const others = candidates.slice(1).map((part) => new PartHasher(uniformParts(size, part)));
  const observe = (chunk: Buffer) => others.forEach((hasher) => hasher.update(chunk));
  // Completed when the first cut gives the ETag, or when no other cut can.
  const accept = (made: string) => made === etag || !others.some((h) => h.etag() === etag);
  const stored = await upload(job, object, uniformParts(size, first), grants, accept, observe);
  if (stored !== undefined) return stored;
  const found = candidates[1 + others.findIndex((hasher) => hasher.etag() === etag)]!;
  return upload(job, object, uniformParts(size, found), grants, (made) => made === etag);
}

/** Aborts uploads of this key left by an interrupted run: they would never complete. */
async function abortStale(job: CopyJob): Promise<void> {
  for (const id of await uploadsOf(job.target, job.keys, job.bucket, job.object.key)) {
    await abortUpload(job.target, job.keys, job.bucket, job.object.key, id);
  }
}

/**
 * Uploads the parts; completes when `accept` takes the ETag they give and returns the
 * stored ETag, else aborts and returns undefined. `observe` sees every byte, in order.
 */
async function upload(
  job: CopyJob,
  object: SourceObject,
  sizes: number[],
  grants: Record<string, string>,
  accept: (etag: string) => boolean,
  observe: (chunk: Buffer) => void = () => undefined,
): Promise<string | undefined> {
  const { target, keys, bucket } = job;
  const key = job.object.key;
  await abortStale(job);
  const headers = { ...carriedHeaders(object.headers), ...grants };
  const uploadId = await createUpload(target, keys, bucket, key, headers);
  let sent = 0;
  let completed = false;
  try {
    const md5s: Buffer[] = [];
    for (let i = 0, offset = 0; i < sizes.length; offset += sizes[i]!, i++) {
      md5s.push(await copyPart(job, object, uploadId, [i + 1, offset, sizes[i]!], observe));
      sent += sizes[i]!;
    }
    const etag = multipartEtag(md5s);
    if (!accept(etag)) return undefined;
    const etags = md5s.map((md5) => `"${md5.toString('hex')}"`);
    const stored = unquoteEtag(await completeUpload(target, keys, bucket, key, uploadId, etags));
    completed = true;
    if (stored !== etag) throw new Error(`the target completed with ETag ${stored}, not ${etag}`);
    return stored;
  } finally {
    if (!completed) {
      job.onBytes(-sent);
      await abortUpload(target, keys, bucket, key, uploadId).catch(() => undefined);
    }
  }
}

/** Copies bytes [offset, offset+size) as part `part`; the part's MD5. */
async function copyPart(
  job: CopyJob,
  object: SourceObject,
  uploadId: string,
  [part, offset, size]: [number, number, number],
  observe: (chunk: Buffer) => void,
): Promise<Buffer> {
  const { source, target, keys, bucket } = job;
  const key = job.object.key;
  if (size === 0) {
    const empty = { 'content-length': '0' };
    await uploadPart(target, keys, bucket, key, uploadId, part, empty, Readable.from([]));
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
      observe(chunk);
      sent += chunk.length;
      job.onBytes(chunk.length);
    });
    const headers = { 'content-length': String(size) };
    const etag = await uploadPart(target, keys, bucket, key, uploadId, part, headers, body);
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
