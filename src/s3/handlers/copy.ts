/**
 * CopyObject: PUT with x-amz-copy-source, within a bucket or across buckets: the caller
 * needs s3:GetObject on the source (its ACL governs) and s3:PutObject on the target. The
 * source is streamed block by block into a new version of the target, so memory stays flat
 * whatever the size; the source's metadata is kept (COPY) or replaced (REPLACE), and the
 * copy is of the storage class x-amz-storage-class names (STANDARD when it names none).
 */
import { checksumTypeOf, type Manifest } from '../../objects/manifest.js';
import type { S3Context } from '../context.js';
import {
  checkCopySourceConditions,
  metadataDirective,
  parseCopySource,
  type CopySource,
} from '../copy-source.js';
import { readSmallBody } from '../body.js';
import { S3Error } from '../errors.js';
import { metadataOf, storedHeadersOf } from '../object-headers.js';
import { storageClassField, storageClassFromHeaders } from '../storage-class.js';
import { renderXml } from '../xml.js';
import { authorizedBucket, authorizedObject, existingBucket } from './access.js';
import { newObjectAcl } from './acl.js';
import { sendXml } from './responses.js';

/** S3's largest CopyObject source, in bytes (5 GiB); larger ones need UploadPartCopy. */
export const COPY_SOURCE_BYTES_MAX = 5 * 1024 ** 3;

/** The source of a copy request, found and its conditions checked. */
export interface ReadableSource {
  source: CopySource;
  manifest: Manifest;
}

/**
 * Finds the object x-amz-copy-source names, which the caller must be allowed to read;
 * NoSuchBucket, NoSuchKey, AccessDenied, PreconditionFailed.
 */
export async function copySourceOf(ctx: S3Context): Promise<ReadableSource> {
  const headers = ctx.request.headers;
  const raw = headers['x-amz-copy-source'];
  const source = parseCopySource(Array.isArray(raw) ? raw.join(',') : (raw ?? ''));
  const bucket = await existingBucket(ctx, source.bucket);
  const manifest = await authorizedObject(ctx, bucket, source.key, 's3:GetObject');
  checkCopySourceConditions(headers, manifest.etag, manifest.lastModifiedMs);
  return { source, manifest };
}

/** PUT /bucket/key with x-amz-copy-source */
export async function copyObject(ctx: S3Context, bucketName: string, key: string) {
  const headers = ctx.request.headers;
  const directive = metadataDirective(headers);
  const target = await authorizedBucket(ctx, bucketName, 's3:PutObject', key);
  const { source, manifest } = await copySourceOf(ctx);
  // The copy is a new object of the caller's: the source's ACL is not copied (as in S3).
  const acl = await newObjectAcl(ctx, target);
  // The copy gets the class asked for, else STANDARD: S3 does not carry a class over.
  const storageClass = storageClassFromHeaders(headers);
  const inPlace = source.bucket === bucketName && source.key === key;
  if (inPlace && directive === 'COPY' && storageClass === undefined) {
    throw new S3Error(
      'InvalidRequest',
      'This copy request is illegal because it is trying to copy an object to itself ' +
        "without changing the object's metadata, storage class, website redirect location " +
        'or encryption attributes.',
    );
  }
  if (manifest.size > COPY_SOURCE_BYTES_MAX) {
    throw new S3Error(
      'InvalidRequest',
      `The specified copy source is larger than the maximum allowable size for a copy ` +
        `source: ${COPY_SOURCE_BYTES_MAX}`,
    );
  }
  // A copy has no body of its own; reading it proves the signed payload (empty) holds.
  await readSmallBody(ctx, 0);
  const replace = directive === 'REPLACE';
  const object = {
    versionId: ctx.deps.newId(),
    bucketId: target.id,
    key,
    headers: replace ? storedHeadersOf(headers) : manifest.headers,
    metadata: replace ? metadataOf(headers) : manifest.metadata,
    ...storageClassField(storageClass),
    // Whole-object checksums hold for the same bytes; a composite one names parts no more.
    checksums: checksumTypeOf(manifest) === 'FULL_OBJECT' ? { ...manifest.checksums } : {},
    acl,
  };
  const body = ctx.deps.objects.read(manifest, 0, manifest.size - 1);
  const copied = await ctx.deps.objects.put(object, body, (written) => {
    if (written.size !== manifest.size) throw new Error('copy source changed size mid-read');
  });
  const xml = renderXml('CopyObjectResult', {
    LastModified: new Date(copied.lastModifiedMs).toISOString(),
    ETag: `"${copied.etag}"`,
  });
  sendXml(ctx, 200, xml);
}
