/**
 * Copies one object from the source to the target, as its owner: bytes streamed (never
 * held), the stored headers and user metadata, and the ACL given by x-amz-grant-* headers
 * in the request that creates it. A single-PUT object carries Content-MD5 (its ETag), so
 * the target refuses any byte that differs; a multipart object is uploaded again with the
 * same part boundaries, and completed only once the parts' MD5s give the source's ETag.
 * The target never shows a half-copied object: a PUT cut short is not committed, and an
 * upload is aborted on any failure.
 */
import { createHash } from 'node:crypto';
import { grantHeaders, parseAcl } from './core/acl.js';
import { isMd5Etag, multipartCount } from './core/parts.js';
import { taggingHeaderOf, unquoteEtag } from './core/xml.js';
import {
  carriedHeaders,
  contentLengthOf,
  counted,
  tagsOf,
  type Copied,
  type CopyJob,
  type ObjectTask,
} from './copy-common.js';
import { copyMultipart } from './copy-multipart.js';
import { S3CallError } from './s3-http.js';

/**
 * Copies `task.object` as its owner (named by its ACL); throws (S3CallError or Error) with
 * the reason when it cannot.
 */
export async function copyObject(task: ObjectTask): Promise<Copied> {
  const aclText = await readAcl(task);
  const acl = parseAcl(aclText);
  const job: CopyJob = { ...task, keys: task.ownerKeys(acl.ownerId) };
  const grants = grantHeaders(acl);
  const copied =
    multipartCount(job.object.etag) !== undefined
      ? await copyMultipart(job, grants)
      : await copySingle(job, grants).catch((error: unknown) => {
          if (!(error instanceof EtagNotMd5)) throw error;
          return copySingle(job, grants, error.md5);
        });
  // Headers cannot say "no grants at all" (the default is the owner's FULL_CONTROL): the
  // source's document can, right after; the object is at most as open as the source's.
  if (acl.grants.length === 0) {
    await job.target.putAcl(job.keys, job.bucket, aclText, job.object.key);
  }
  return copied;
}

/**
 * The object's ACL, read with the first of the readers allowed to (S3 lets only the owner
 * and READ_ACP grantees read it, and listings do not always name the object's owner).
 */
async function readAcl(task: ObjectTask): Promise<string> {
  let denied: unknown;
  for (const keys of task.readers) {
    try {
      return await task.source.getAcl(keys, task.bucket, task.object.key);
    } catch (error) {
      if (!(error instanceof S3CallError) || error.status !== 403) throw error;
      denied ??= error;
    }
  }
  throw denied ?? new Error('no user to read its ACL with');
}

/** The source's ETag of an object is not the MD5 of the bytes it serves. */
class EtagNotMd5 extends Error {
  constructor(readonly md5: string) {
    super('the source ETag is not the MD5 of the object');
  }
}

/**
 * Copies a single-PUT object, sending its ETag as Content-MD5. When the target finds the
 * bytes do not have that MD5 and neither do the bytes read (old Riak CS gave multipart
 * objects an ETag from the upload id), throws EtagNotMd5; the caller copies again with
 * `md5` set to what was read, which the second read must match.
 */
async function copySingle(
  job: CopyJob,
  grants: Record<string, string>,
  md5?: string,
): Promise<Copied> {
  const { bucket, object } = job;
  const response = await job.source.getObject(job.keys, bucket, object.key);
  const hash = createHash('md5');
  let sent = 0;
  try {
    const length = contentLengthOf(response);
    const etag = unquoteEtag(String(response.headers['etag'] ?? ''));
    const headers: Record<string, string> = {
      ...carriedHeaders(response.headers),
      ...grants,
      'content-length': String(length),
    };
    const digest = md5 ?? (isMd5Etag(etag) ? etag : undefined);
    if (digest) headers['content-md5'] = Buffer.from(digest, 'hex').toString('base64');
    const tags = await tagsOf(job, response.headers);
    if (tags !== undefined) headers['x-amz-tagging'] = taggingHeaderOf(tags);
    const body = counted(response, (chunk) => {
      hash.update(chunk);
      sent += chunk.length;
      job.onBytes(chunk.length);
    });
    const stored = unquoteEtag(
      await job.target.putObject(job.keys, bucket, object.key, headers, body).catch((error) => {
        const read = sent === length ? hash.digest('hex') : undefined;
        const notMd5 = error instanceof S3CallError && error.code === 'BadDigest';
        const asRead = md5 === undefined && read !== undefined && read !== etag;
        throw notMd5 && asRead ? new EtagNotMd5(read) : error;
      }),
    );
    if (stored === etag) return { bytes: length };
    const reason = "the source's ETag is not the MD5 of the object's bytes";
    return {
      bytes: length,
      etagChange: { bucket, key: object.key, sourceEtag: etag, targetEtag: stored, reason },
    };
  } catch (error) {
    response.destroy();
    job.onBytes(-sent);
    throw error;
  }
}
