/**
 * Copies one object from the source to the target, as its owner: bytes streamed (never
 * held), the stored headers and user metadata, and the ACL given by x-amz-grant-* headers
 * in the request that creates it. A single-PUT object carries Content-MD5 (its ETag), so
 * the target refuses any byte that differs; a multipart object is uploaded again with the
 * same part boundaries, and completed only once the parts' MD5s give the source's ETag.
 * The target never shows a half-copied object: a PUT cut short is not committed, and an
 * upload is aborted on any failure.
 */
import { grantHeaders, parseAcl } from './core/acl.js';
import { isMd5Etag, multipartCount } from './core/parts.js';
import { unquoteEtag } from './core/xml.js';
import {
  carriedHeaders,
  contentLengthOf,
  counted,
  type Copied,
  type CopyJob,
} from './copy-common.js';
import { copyMultipart } from './copy-multipart.js';

/** Copies `job.object`; throws (S3CallError or Error) with the reason when it cannot. */
export async function copyObject(job: CopyJob): Promise<Copied> {
  const aclText = await job.source.getAcl(job.keys, job.bucket, job.object.key);
  const acl = parseAcl(aclText);
  const grants = grantHeaders(acl);
  const copied =
    multipartCount(job.object.etag) !== undefined
      ? await copyMultipart(job, grants)
      : await copySingle(job, grants);
  // Headers cannot say "no grants at all" (the default is the owner's FULL_CONTROL): the
  // source's document can, right after; the object is at most as open as the source's.
  if (acl.grants.length === 0) {
    await job.target.putAcl(job.keys, job.bucket, aclText, job.object.key);
  }
  return copied;
}

async function copySingle(job: CopyJob, grants: Record<string, string>): Promise<Copied> {
  const { bucket, object } = job;
  const response = await job.source.getObject(job.keys, bucket, object.key);
  let sent = 0;
  try {
    const length = contentLengthOf(response);
    const etag = unquoteEtag(String(response.headers['etag'] ?? ''));
    const headers: Record<string, string> = {
      ...carriedHeaders(response.headers),
      ...grants,
      'content-length': String(length),
    };
    if (isMd5Etag(etag)) headers['content-md5'] = Buffer.from(etag, 'hex').toString('base64');
    const body = counted(response, (chunk) => {
      sent += chunk.length;
      job.onBytes(chunk.length);
    });
    const stored = unquoteEtag(
      await job.target.putObject(job.keys, bucket, object.key, headers, body),
    );
    if (stored === etag) return { bytes: length };
    const reason = 'the source ETag is not an MD5 the target can reproduce';
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
