/**
 * Object operations. PUT streams the body into blocks and commits the manifest only after
 * every check has passed; GET streams blocks back; DELETE answers 204 whether or not the
 * key existed, as S3 does.
 */
import { checkConditions } from '../conditions.js';
import { S3Error } from '../../http/errors.js';
import { refuseUnsupportedRequest } from '../unsupported-headers.js';
import type { S3Context } from '../../http/context.js';
import { verifiedBody } from '../../http/body.js';
import { metadataOf, objectResponseHeaders, storedHeadersOf } from '../object-headers.js';
import { partChecksumHeaders, selectPartOf } from '../part-select.js';
import { parseRange } from '../range.js';
import { isMultipart, partCountOf, type Manifest } from '../../objects/manifest.js';
import { checkPutConditions, putConditionsOf } from '../put-conditions.js';
import { storageClassField, storageClassFromHeaders } from '../storage-class.js';
import { taggingOf } from '../tags.js';
import { actionFor } from '../access/version-actions.js';
import { authorizedBucket, authorizedObject, existingBucket } from './access.js';
import { newObjectAcl } from './acl.js';
import { copyObject } from './copy.js';
import { newVersionFields, versionIdHeader, writtenVersionHeader } from '../object-version.js';
import { deleteHeaders, deleteKey } from './object-delete.js';
import { sendEmpty } from './responses.js';
import { lockResponseHeaders } from '../object-lock-xml.js';
import { newVersionLock, requestedLock } from './object-lock-write.js';
import { expirationHeaders } from '../lifecycle-header.js';
import { CUSTOMER_PREFIX } from '../sse-request.js';
import { keyForRead, sealingForWrite } from '../object-encryption.js';
import { bucketDefaultEncryption } from './encryption.js';
import { checkDeclaredSize, quotaGuardOf, withQuotaCheck } from '../quota-check.js';

/** PUT /bucket/key (s3:PutObject); the writer owns the new object. */
export async function putObject(ctx: S3Context, bucketName: string, key: string): Promise<void> {
  const headers = ctx.request.headers;
  if (headers['x-amz-copy-source'] !== undefined) return copyObject(ctx, bucketName, key);
  const conditions = putConditionsOf(headers);
  const tags = taggingOf(headers);
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutObject', key);
  // After the access check: a bucket policy may refuse SSE headers (as AWS policies do with
  // s3:x-amz-server-side-encryption conditions), and a refusal must win over NotImplemented.
  refuseUnsupportedRequest('PutObject', headers, ctx.query);
  const lock = requestedLock(ctx, bucket, key, true);
  const sealing = sealingForWrite(ctx, await bucketDefaultEncryption(ctx, bucket));
  const acl = await newObjectAcl(ctx, bucket);
  const precondition =
    conditions && ((current?: Manifest) => checkPutConditions(conditions, current, key));
  // Fail fast, before the body is stored; the check that counts runs again before the commit.
  precondition?.(await ctx.deps.objects.head(bucket.id, key));
  const quota = await quotaGuardOf(ctx, bucket);
  await checkDeclaredSize(ctx, quota, bucket.id, key);
  const body = verifiedBody(ctx);
  const object = {
    versionId: ctx.deps.newId(),
    bucketId: bucket.id,
    key,
    headers: storedHeadersOf(headers),
    metadata: metadataOf(headers),
    ...storageClassField(storageClassFromHeaders(headers)),
    checksums: {} as Record<string, string>,
    ...(tags.length > 0 ? { tags } : {}),
    acl,
    ...newVersionFields(bucket, ctx.deps.objects),
    ...newVersionLock(bucket, lock, ctx.deps.clock()),
    ...(sealing.key ? { encryption: sealing.key.record } : {}),
  };
  const check = (written: { md5: Buffer; size: number }) => {
    body.check(written);
    for (const [name, value] of Object.entries(body.checksums())) {
      object.checksums[name.toLowerCase().replace(/^x-amz-checksum-/, '')] = value;
    }
  };
  const { objects } = ctx.deps;
  const checks = withQuotaCheck(precondition, quota);
  const manifest = await objects.put(object, body.stream, check, checks, sealing.key);
  const answer: Record<string, string> = {
    etag: `"${manifest.etag}"`,
    ...writtenVersionHeader(manifest),
    ...(await expirationHeaders(ctx.deps, manifest)),
    ...sealing.answer,
  };
  for (const [alg, value] of Object.entries(manifest.checksums)) {
    answer[`x-amz-checksum-${alg}`] = value;
  }
  sendEmpty(ctx, 200, answer);
}

/**
 * GET /bucket/key?torrent: Cairn makes no torrents, so an object has none to get: NoSuchKey
 * (as RGW answers without torrents configured), once the caller may read the object.
 */
export async function getObjectTorrent(ctx: S3Context, bucketName: string, key: string) {
  const bucket = await existingBucket(ctx, bucketName);
  await authorizedObject(ctx, bucket, key, 's3:GetObject');
  throw S3Error.noSuchKey(key);
}

/**
 * The object (or, with ?versionId, the version) a GET or HEAD reads. A missing key says
 * whether it is a delete marker, as S3 does (RGW says false too; ceph's s3-tests expect it).
 */
async function readableObject(ctx: S3Context, bucketName: string, key: string) {
  const bucket = await existingBucket(ctx, bucketName);
  const versionId = ctx.query.get('versionId');
  return authorizedObject(ctx, bucket, key, 's3:GetObject', {}, versionId);
}

/** GET or HEAD /bucket/key (s3:GetObject, which the object's ACL governs) */
export async function getObject(
  ctx: S3Context,
  bucketName: string,
  key: string,
  withBody: boolean,
): Promise<void> {
  const manifest = await readableObject(ctx, bucketName, key);
  await sendObject(ctx, manifest, withBody);
}

/**
 * Answers a GET or HEAD of `manifest`, which the caller may read: conditions, Range and
 * partNumber, the stored headers, then the body streamed (the website endpoint serves
 * objects through it too).
 */
export async function sendObject(
  ctx: S3Context,
  manifest: Manifest,
  withBody: boolean,
): Promise<void> {
  const headers = ctx.request.headers;
  const rangeHeader = typeof headers.range === 'string' ? headers.range : undefined;
  const partNumber = ctx.query.get('partNumber');
  // A part number past the last is InvalidPart before any SSE-C key is asked for (s3-tests).
  const part =
    partNumber === null
      ? undefined
      : await selectPartOf(manifest, partNumber, rangeHeader, ctx.deps.objects.partChunks);
  const sealed = keyForRead(ctx, manifest, CUSTOMER_PREFIX, withBody);
  checkConditions(headers, manifest.etag, manifest.lastModifiedMs);
  const range = part ? part.range : parseRange(rangeHeader, manifest.size);
  const checksumMode = String(headers['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED';
  // A checksum covers the whole object (or part), so S3 returns none for a range of it.
  const wholeChecksums = checksumMode && !range && !part;
  const out = objectResponseHeaders(manifest, ctx.query, wholeChecksums);
  Object.assign(out, versionIdHeader(manifest), lockResponseHeaders(manifest), sealed.answer);
  if (!ctx.query.has('versionId')) Object.assign(out, await expirationHeaders(ctx.deps, manifest));
  if (isMultipart(manifest) && part) out['x-amz-mp-parts-count'] = String(partCountOf(manifest));
  if (part && checksumMode) Object.assign(out, partChecksumHeaders(manifest, part));
  const start = range?.start ?? 0;
  const end = range?.end ?? manifest.size - 1;
  out['content-length'] = String(end - start + 1);
  if (range) out['content-range'] = `bytes ${start}-${end}/${manifest.size}`;
  ctx.reply.code(range ? 206 : 200).headers(out);
  if (!withBody) {
    void ctx.reply.send();
    return;
  }
  const objects = ctx.deps.objects;
  // A part found in a chunk record is read from its own blocks: one chunk read in all.
  const blocks = part?.blocks;
  void ctx.reply.send(
    blocks
      ? objects.readPart(blocks, 0, end - start, sealed.key)
      : objects.read(manifest, start, end, sealed.key),
  );
}

/**
 * DELETE /bucket/key (s3:DeleteObject). With If-Match (S3's conditional delete) the current
 * version must match: 412 when it does not, 404 when there is none; the same race as a
 * conditional PUT's remains (put-conditions.ts).
 */
export async function deleteObject(ctx: S3Context, bucketName: string, key: string) {
  const ifMatch = ctx.request.headers['if-match'];
  const conditions = ifMatch === undefined ? undefined : putConditionsOf({ 'if-match': ifMatch });
  const versionId = ctx.query.get('versionId') ?? undefined;
  const action = actionFor('s3:DeleteObject', versionId);
  const bucket = await authorizedBucket(ctx, bucketName, action, key);
  const precondition =
    conditions && ((current?: Manifest) => checkPutConditions(conditions, current, key));
  const outcome = await deleteKey(ctx, bucket, key, versionId, precondition);
  sendEmpty(ctx, 204, deleteHeaders(outcome));
}
