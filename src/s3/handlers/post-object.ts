/**
 * Browser POST uploads (S3 PostObject): POST /bucket with a multipart/form-data body whose
 * text fields carry a signed policy and the object's settings, and whose `file` part is the
 * object. The file part streams from the form reader into the object layer, never buffered
 * whole. An unsigned form is an anonymous upload, which only a bucket that lets everyone
 * write (ACL or policy) accepts. Nothing is stored unless the signature, the policy, every
 * condition and s3:PutObject hold; the
 * size range is enforced while streaming (too large aborts at once) and before the commit.
 * Object lock fields lock the new version as PutObject's headers do (post-object-lock.ts).
 */
import { newVersionFields, writtenVersionHeader } from '../object-version.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import { secretsOf } from '../../../stanchion/secret-box.js';
import { checksumsFromHeaders, createChecksum, verifyChecksums } from '../../auth/checksums.js';
import { userByKey } from '../../cache/lookups.js';
import { uriEncode } from '../../auth/request-parts.js';
import { verifyPostSignature } from '../../auth/post-signature.js';
import type { RequestContext } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { formBoundaryOf, readPostForm, type PostForm } from '../form-data.js';
import { metadataOf, storedHeadersOf } from '../object-headers.js';
import { checkObjectKey } from '../operation.js';
import { checkPostPolicy, parsePostPolicy } from '../post-policy.js';
import { OBJECT_TAGS_MAX, parseTaggingXml } from '../tags.js';
import { refuseUnsupportedHeaders } from '../unsupported-headers.js';
import { renderXml } from '../../http/xml.js';
import { authorizedBucket } from './access.js';
import { bucketDefaultEncryption } from './encryption.js';
import { sealingForWrite } from '../object-encryption.js';
import { newObjectAcl } from './acl.js';
import { postObjectLock } from './post-object-lock.js';
import { sendEmpty, sendXml } from './responses.js';
import { quotaGuardOf, withQuotaCheck } from '../quota-check.js';

/** Limits of the form: S3 allows 20 KB of fields; a little more costs nothing. */
export const POST_FORM_LIMITS = {
  headerBytesMax: 8 * 1024,
  fieldsBytesMax: 64 * 1024,
  trailingBytesMax: 64 * 1024,
};

/** POST /bucket with a multipart/form-data body: a browser upload. */
export async function postObject(ctx: RequestContext, bucketName: string): Promise<void> {
  const contentType = ctx.request.headers['content-type'];
  // Node keeps one Content-Type (a duplicate is dropped), so it is a string or absent.
  const boundary = formBoundaryOf(contentType);
  if (boundary === undefined) {
    throw new S3Error(
      'PreconditionFailed',
      'Bucket POST must be of the enclosure-type multipart/form-data',
      { fields: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' } },
    );
  }
  const form = await readPostForm(ctx.request.raw, boundary, POST_FORM_LIMITS);
  const { fields, file } = form;
  const user = await postSigner(ctx, fields);
  if (!file) {
    throw new S3Error('IncorrectNumberOfFilesInPostRequest');
  }
  const key = postKey(fields, file.filename);
  fields.set('key', key);
  const size = user
    ? checkPostPolicy(parsePostPolicy(fields.get('policy')!), fields, bucketName, ctx.deps.clock())
    : { sizeMin: 0, sizeMax: Number.MAX_SAFE_INTEGER };
  refuseUnsupportedHeaders('PostObject', fields);
  const signed = user ? { ...ctx, user } : ctx;
  const aclFields = { ...Object.fromEntries(fields), 'x-amz-acl': fields.get('acl') };
  // The form's fields are this request's headers to a bucket policy's conditions.
  const facts = { headers: aclFields };
  const bucket = await authorizedBucket(signed, bucketName, 's3:PutObject', key, facts);
  // The form's SSE fields (SSE-C's three, or x-amz-server-side-encryption) ask as headers do.
  const sealing = sealingForWrite(
    signed,
    await bucketDefaultEncryption(signed, bucket),
    Object.fromEntries(fields),
  );
  const locking = postObjectLock(signed, bucket, key, fields);
  const acl = await newObjectAcl(signed, bucket, aclFields);
  const object = postObjectOf(form, fields, key);
  const checked = checksummedFile(fields, file.stream);
  const quota = await quotaGuardOf(signed, bucket);
  const manifest = await ctx.deps.objects.put(
    {
      versionId: ctx.deps.newId(),
      bucketId: bucket.id,
      ...object,
      acl,
      ...newVersionFields(bucket, ctx.deps.objects),
      ...locking.fields,
      ...(sealing.key ? { encryption: sealing.key.record } : {}),
    },
    sizeCapped(checked.stream, size.sizeMax),
    (written) => {
      if (written.size < size.sizeMin) {
        throw new S3Error('EntityTooSmall', undefined, {
          fields: { ProposedSize: String(written.size), MinSizeAllowed: String(size.sizeMin) },
        });
      }
      locking.check(written);
      for (const [name, value] of Object.entries(checked.verify())) {
        object.checksums[name.slice('x-amz-checksum-'.length)] = value;
      }
    },
    withQuotaCheck(undefined, quota),
    sealing.key,
  );
  void ctx.reply.headers({ ...writtenVersionHeader(manifest), ...sealing.answer });
  answerPost(ctx, fields, { bucket: bucketName, key, etag: `"${manifest.etag}"` });
}

/** The user whose signature the form carries; undefined for an unsigned form. */
async function postSigner(ctx: RequestContext, fields: Map<string, string>) {
  const users = new Map<string, UserRecord>();
  const signer = await verifyPostSignature(fields, async (keyId) => {
    const user = await userByKey(ctx.deps, ctx.request, keyId);
    if (!user) return undefined;
    users.set(keyId, user);
    const secretAccessKey = secretsOf(ctx.deps).open(keyId, user.secret);
    return { accessKeyId: user.keyId, secretAccessKey };
  });
  if (!signer) return undefined;
  const user = users.get(signer.accessKeyId);
  if (!user) throw new S3Error('InvalidAccessKeyId');
  if (user.status !== 'enabled') throw new S3Error('AccessDenied', 'Your account is disabled.');
  return user;
}

/** The object key: the key field with ${filename} replaced by the file's name. */
function postKey(fields: Map<string, string>, filename: string): string {
  const template = fields.get('key');
  if (template === undefined || template === '') {
    throw new S3Error('InvalidArgument', "Bucket POST must contain a field named 'key'.", {
      fields: { ArgumentName: 'key', ArgumentValue: '' },
    });
  }
  const key = template.replaceAll('${filename}', filename);
  checkObjectKey(key);
  return key;
}

/** Headers, metadata and tags of the new object, from the form's fields. */
function postObjectOf(form: PostForm, fields: Map<string, string>, key: string) {
  const headers: Record<string, string> = Object.fromEntries(fields);
  if (headers['content-type'] === undefined && form.file?.contentType !== undefined) {
    headers['content-type'] = form.file.contentType;
  }
  const tagging = fields.get('tagging');
  const tags = tagging === undefined ? [] : parseTaggingXml(tagging, OBJECT_TAGS_MAX);
  return {
    key,
    headers: storedHeadersOf(headers),
    metadata: metadataOf(headers),
    checksums: {} as Record<string, string>,
    ...(tags.length > 0 ? { tags } : {}),
  };
}

/**
 * The file stream with the form's x-amz-checksum-* fields computed as it passes; `verify`
 * (once it has ended) throws BadDigest on a mismatch and returns the verified values. A
 * malformed value is refused (InvalidRequest) before anything is read.
 */
function checksummedFile(fields: Map<string, string>, stream: AsyncIterable<Buffer>) {
  const expected = checksumsFromHeaders(Object.fromEntries(fields));
  const running = new Map([...expected.keys()].map((alg) => [alg, createChecksum(alg)]));
  async function* pass() {
    for await (const chunk of stream) {
      for (const checksum of running.values()) checksum.update(chunk);
      yield chunk;
    }
  }
  return { stream: pass(), verify: () => verifyChecksums(running, expected) };
}

/** The file stream, failing with EntityTooLarge as soon as it passes `sizeMax` bytes. */
async function* sizeCapped(stream: AsyncIterable<Buffer>, sizeMax: number) {
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > sizeMax) {
      throw new S3Error('EntityTooLarge', undefined, {
        fields: { MaxSizeAllowed: String(sizeMax) },
      });
    }
    yield chunk;
  }
}

/** success_action_redirect (303), else success_action_status: 200, 201 (XML) or 204. */
function answerPost(
  ctx: RequestContext,
  fields: Map<string, string>,
  done: { bucket: string; key: string; etag: string },
): void {
  const location = objectUrl(ctx, done.bucket, done.key);
  const redirect = redirectUrl(fields.get('success_action_redirect') ?? fields.get('redirect'));
  if (redirect) {
    for (const [name, value] of Object.entries(done)) redirect.searchParams.set(name, value);
    sendEmpty(ctx, 303, { location: redirect.toString(), etag: done.etag });
    return;
  }
  const status = fields.get('success_action_status');
  const headers = { etag: done.etag, location };
  if (status === '201') {
    const body = { Location: location, Bucket: done.bucket, Key: done.key, ETag: done.etag };
    void ctx.reply.headers(headers);
    // AWS's PostResponse has no namespace; parsers that look up <Key> plainly depend on it.
    sendXml(ctx, 201, renderXml('PostResponse', body, { namespace: false }));
    return;
  }
  sendEmpty(ctx, status === '200' ? 200 : 204, headers);
}

function redirectUrl(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined; // S3 ignores a redirect that is not a URL.
  }
}

function objectUrl(ctx: RequestContext, bucket: string, key: string): string {
  const host = String(ctx.request.headers.host ?? 'localhost');
  const base = ctx.deps.config.rootHost;
  const inHost = base !== undefined && host.toLowerCase().startsWith(`${bucket}.${base}`);
  const path = inHost ? `/${uriEncode(key, true)}` : `/${bucket}/${uriEncode(key, true)}`;
  return `${ctx.request.protocol}://${host}${path}`;
}
