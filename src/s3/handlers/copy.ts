/**
 * CopyObject: PUT with x-amz-copy-source, within a bucket or across buckets: the caller
 * needs s3:GetObject on the source (its ACL governs) and s3:PutObject on the target. The
 * source is streamed block by block into a new version of the target, so memory stays flat
 * whatever the size; the source's metadata is kept (COPY) or replaced (REPLACE), and the
 * copy is of the storage class x-amz-storage-class names (STANDARD when it names none).
 */
import { checksumTypeOf, type Manifest } from '../../objects/manifest.js';
import type { S3Context } from '../../http/context.js';
import {
  checksumAlgorithmFromHeader,
  createChecksum,
  type IncrementalChecksum,
} from '../../auth/checksums.js';
import {
  checkCopySourceConditions,
  metadataDirective,
  copySourceVersionOf,
  parseCopySource,
  taggingDirective,
  type CopySource,
} from '../copy-source.js';
import { readSmallBody } from '../../http/body.js';
import { S3Error } from '../../http/errors.js';
import { refuseUnsupportedRequest } from '../unsupported-headers.js';
import { copiedHeadersOf, metadataOf, storedHeadersOf } from '../object-headers.js';
import { checkPutConditions, putConditionsOf } from '../put-conditions.js';
import { storageClassField, storageClassFromHeaders } from '../storage-class.js';
import { taggingOf } from '../tags.js';
import { NEWER_CHECKSUM_ALGORITHMS } from '../unsupported-headers.js';
import { renderXml } from '../../http/xml.js';
import { newVersionFields, versionIdHeader, writtenVersionHeader } from '../object-version.js';
import { newVersionLock, requestedLock } from './object-lock-write.js';
import { authorizedBucket, authorizedObject, existingBucket } from './access.js';
import { quotaGuardOf, withQuotaCheck } from '../quota-check.js';
import { newObjectAcl } from './acl.js';
import { sendXml } from './responses.js';
import { keyForRead, sealingForWrite } from '../object-encryption.js';
import { COPY_SOURCE_CUSTOMER_PREFIX } from '../sse-request.js';
import { bucketDefaultEncryption } from './encryption.js';

/** S3's largest CopyObject source, in bytes (5 GiB); larger ones need UploadPartCopy. */
export const COPY_SOURCE_BYTES_MAX = 5 * 1024 ** 3;

/** The source of a copy request, found and its conditions checked. */
export interface ReadableSource {
  source: CopySource;
  manifest: Manifest;
  /** The version the header named (?versionId=), if any. */
  versionId?: string;
}

/**
 * Finds the object x-amz-copy-source names, which the caller must be allowed to read;
 * NoSuchBucket, NoSuchKey, AccessDenied, PreconditionFailed.
 */
export async function copySourceOf(ctx: S3Context): Promise<ReadableSource> {
  const headers = ctx.request.headers;
  const raw = headers['x-amz-copy-source'];
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const source = parseCopySource(text);
  const versionId = copySourceVersionOf(text);
  const bucket = await existingBucket(ctx, source.bucket, 'x-amz-source-expected-bucket-owner');
  const manifest = await authorizedObject(ctx, bucket, source.key, 's3:GetObject', {}, versionId);
  checkCopySourceConditions(headers, manifest.etag, manifest.lastModifiedMs);
  return { source, manifest, ...(versionId === undefined ? {} : { versionId }) };
}

/** PUT /bucket/key with x-amz-copy-source */
export async function copyObject(ctx: S3Context, bucketName: string, key: string) {
  const headers = ctx.request.headers;
  const replace = metadataDirective(headers) === 'REPLACE';
  const replaceTags = taggingDirective(headers) === 'REPLACE';
  // Parsed whatever the directive, so a malformed tag set is refused either way.
  const requestedTags = taggingOf(headers);
  const conditions = putConditionsOf(headers);
  const checksum = requestedChecksum(headers);
  const target = await authorizedBucket(ctx, bucketName, 's3:PutObject', key);
  refuseUnsupportedRequest('PutObject', headers, ctx.query);
  const lock = requestedLock(ctx, target, key, false);
  const { source, manifest, versionId } = await copySourceOf(ctx);
  // The source opens with its own key (x-amz-copy-source-…-customer-*, or SSE-S3's); the
  // copy is sealed as the request (or the target bucket's default) asks, not as the source.
  const opened = keyForRead(ctx, manifest, COPY_SOURCE_CUSTOMER_PREFIX);
  const sealing = sealingForWrite(ctx, await bucketDefaultEncryption(ctx, target));
  // The copy is a new object of the caller's: the source's ACL is not copied (as in S3).
  const acl = await newObjectAcl(ctx, target);
  // The copy gets the class asked for, else STANDARD: S3 does not carry a class over.
  const storageClass = storageClassFromHeaders(headers);
  const redirects = headers['x-amz-website-redirect-location'] !== undefined;
  const changes = replace || redirects || storageClass !== undefined || sealing.key !== undefined;
  // Copying a named version onto its own key restores it (S3's way to undo an overwrite).
  const restores = versionId !== undefined;
  checkCopyAllowed(source, { bucket: bucketName, key }, changes || restores, manifest.size);
  const precondition =
    conditions && ((current?: Manifest) => checkPutConditions(conditions, current, key));
  // Fail fast, before any byte is copied; the check that counts runs again before the commit.
  const quota = await quotaGuardOf(ctx, target);
  if (precondition || quota) {
    const current = await ctx.deps.objects.head(target.id, key);
    precondition?.(current);
    quota?.check(current, manifest.size);
  }
  // A copy has no body of its own; reading it proves the signed payload (empty) holds.
  await readSmallBody(ctx, 0);
  const tags = replaceTags ? requestedTags : (manifest.tags ?? []);
  const object = {
    versionId: ctx.deps.newId(),
    bucketId: target.id,
    key,
    headers: replace ? storedHeadersOf(headers) : copiedHeadersOf(manifest.headers, headers),
    metadata: replace ? metadataOf(headers) : manifest.metadata,
    ...storageClassField(storageClass),
    // Whole-object checksums hold for the same bytes; a composite one names parts no more.
    checksums: (checksumTypeOf(manifest) === 'FULL_OBJECT'
      ? { ...manifest.checksums }
      : {}) as Record<string, string>,
    ...(tags.length > 0 ? { tags } : {}),
    acl,
    ...newVersionFields(target, ctx.deps.objects),
    // The copy's own lock (or the bucket's default): a source's lock is not copied, as in S3.
    ...newVersionLock(target, lock, ctx.deps.clock()),
    ...(sealing.key ? { encryption: sealing.key.record } : {}),
  };
  const read = ctx.deps.objects.read(manifest, 0, manifest.size - 1, opened.key);
  const body = checksum ? hashedStream(read, checksum) : read;
  const copied = await ctx.deps.objects.put(
    object,
    body,
    (written) => {
      if (written.size !== manifest.size) throw new Error('copy source changed size mid-read');
      if (checksum) object.checksums[checksum.algorithm.toLowerCase()] = checksum.digestBase64();
    },
    withQuotaCheck(precondition, quota),
    sealing.key,
  );
  const answer = { ...writtenVersionHeader(copied), ...sourceVersionHeader(manifest) };
  ctx.reply.headers({ ...answer, ...sealing.answer });
  sendXml(ctx, 200, copyResultXml(copied));
}

/** x-amz-copy-source-version-id: the version copied, when its bucket is versioned. */
function sourceVersionHeader(source: Manifest): Record<string, string> {
  const id = versionIdHeader(source)['x-amz-version-id'];
  return id === undefined ? {} : { 'x-amz-copy-source-version-id': id };
}

/** S3's refusals of a copy: onto itself with nothing changed, or from a source too large. */
function checkCopyAllowed(source: CopySource, target: CopySource, changes: boolean, size: number) {
  if (source.bucket === target.bucket && source.key === target.key && !changes) {
    throw new S3Error(
      'InvalidRequest',
      'This copy request is illegal because it is trying to copy an object to itself ' +
        "without changing the object's metadata, storage class, website redirect location " +
        'or encryption attributes.',
    );
  }
  if (size > COPY_SOURCE_BYTES_MAX) {
    throw new S3Error(
      'InvalidRequest',
      `The specified copy source is larger than the maximum allowable size for a copy ` +
        `source: ${COPY_SOURCE_BYTES_MAX}`,
    );
  }
}

/**
 * The checksum x-amz-checksum-algorithm asks the copy to compute: one Cairn computes, or
 * NotImplemented for an AWS algorithm it cannot, or InvalidRequest for an unknown name.
 */
function requestedChecksum(headers: S3Context['request']['headers']) {
  const raw = headers['x-amz-checksum-algorithm'];
  if (raw === undefined) return undefined;
  const name = Array.isArray(raw) ? raw.join(',') : raw;
  const algorithm = checksumAlgorithmFromHeader(name);
  if (algorithm) return createChecksum(algorithm);
  if (NEWER_CHECKSUM_ALGORITHMS.has(name.trim().toUpperCase())) {
    throw new S3Error('NotImplemented', undefined, {
      fields: { Header: 'x-amz-checksum-algorithm' },
    });
  }
  throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-algorithm header is invalid.');
}

async function* hashedStream(body: AsyncIterable<Buffer>, checksum: IncrementalChecksum) {
  for await (const chunk of body) {
    checksum.update(chunk);
    yield chunk;
  }
}

function copyResultXml(copied: Manifest): string {
  const body: Record<string, unknown> = {
    LastModified: new Date(copied.lastModifiedMs).toISOString(),
    ETag: `"${copied.etag}"`,
  };
  for (const [alg, value] of Object.entries(copied.checksums)) {
    body[`Checksum${alg.toUpperCase()}`] = value;
  }
  return renderXml('CopyObjectResult', body);
}
