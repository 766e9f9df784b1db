/**
 * Multipart upload operations: CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload and AbortMultipartUpload. Part bodies stream into blocks like a
 * PUT's; Complete reads only the small XML list of parts and writes only a manifest.
 */
import { keyForRead, sealingForWrite, type WriteSealing } from '../object-encryption.js';
import { keyForUpload } from '../multipart-encryption.js';
import { COPY_SOURCE_CUSTOMER_PREFIX } from '../sse-request.js';
import { bucketDefaultEncryption } from './encryption.js';
import { checksumAlgorithmFromHeader, type ChecksumAlgorithm } from '../../auth/checksums.js';
import type { ChecksumType } from '../../objects/manifest.js';
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { uploadChecksumType, type UploadRecord } from '../../objects/multipart.js';
import { readSmallBody, verifiedBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { parseCopySourceRange } from '../copy-source.js';
import { S3Error } from '../../http/errors.js';
import { refuseUnsupportedRequest } from '../unsupported-headers.js';
import { metadataOf, storedHeadersOf } from '../object-headers.js';
import { checkPartNumber } from '../request-xml.js';
import { storageClassField, storageClassFromHeaders } from '../storage-class.js';
import { taggingOf } from '../tags.js';
import { requireIntegrityCheck } from './delete-objects.js';
import { requestedLock } from './object-lock-write.js';
import { renderXml } from '../../http/xml.js';
import type { S3Action } from '../access/authorize.js';
import { authorizedBucket } from './access.js';
import { partQuotaGuard } from '../quota-check.js';
import { newObjectAcl } from './acl.js';
import { copySourceOf } from './copy.js';
import { sendEmpty, sendXml } from './responses.js';

type Headers = S3Context['request']['headers'];

function one(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The upload a request's ?uploadId names, once the caller may do `action` on its key. */
export async function requestedUpload(
  ctx: S3Context,
  bucketName: string,
  key: string,
  action: S3Action,
): Promise<UploadRecord> {
  return (await requestedUploadIn(ctx, bucketName, key, action)).upload;
}

/** requestedUpload with the bucket record it was found in. */
async function requestedUploadIn(
  ctx: S3Context,
  bucketName: string,
  key: string,
  action: S3Action,
): Promise<{ bucket: BucketRecord; upload: UploadRecord }> {
  const bucket = await authorizedBucket(ctx, bucketName, action, key);
  const upload = await ctx.deps.multipart.get(bucket.id, key, ctx.query.get('uploadId') ?? '');
  return { bucket, upload };
}

/** POST /bucket/key?uploads (s3:PutObject); the ACL is the completed object's. */
export async function createMultipartUpload(ctx: S3Context, bucketName: string, key: string) {
  const headers = ctx.request.headers;
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutObject', key);
  // After the access check, as for PutObject: a policy refusal wins over NotImplemented.
  refuseUnsupportedRequest('CreateMultipartUpload', headers, ctx.query);
  const lock = requestedLock(ctx, bucket, key, false);
  const sealing = sealingForWrite(ctx, await bucketDefaultEncryption(ctx, bucket));
  const checksum = uploadChecksum(headers);
  const storageClass = storageClassFromHeaders(headers);
  const tags = taggingOf(headers);
  const acl = await newObjectAcl(ctx, bucket);
  const upload = await ctx.deps.multipart.create({
    uploadId: ctx.deps.newId().replaceAll('-', ''),
    bucketId: bucket.id,
    key,
    ownerId: acl.ownerId,
    headers: storedHeadersOf(headers),
    metadata: metadataOf(headers),
    ...checksum,
    ...storageClassField(storageClass),
    ...(tags.length > 0 ? { tags } : {}),
    acl,
    ...(lock ? { lock } : {}),
    ...(sealing.key ? { encryption: sealing.key.record } : {}),
  });
  void ctx.reply.headers(sealing.answer);
  if (checksum.checksumAlgorithm) {
    void ctx.reply.headers({
      'x-amz-checksum-algorithm': checksum.checksumAlgorithm,
      'x-amz-checksum-type': checksum.checksumType,
    });
  }
  const xml = renderXml('InitiateMultipartUploadResult', {
    Bucket: bucketName,
    Key: key,
    UploadId: upload.uploadId,
  });
  sendXml(ctx, 200, xml);
}

/** x-amz-checksum-algorithm and x-amz-checksum-type of CreateMultipartUpload. */
function uploadChecksum(headers: Headers): {
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
} {
  const raw = one(headers, 'x-amz-checksum-algorithm');
  const requestedType = one(headers, 'x-amz-checksum-type');
  if (raw === undefined) {
    if (requestedType === undefined) return {};
    throw new S3Error('InvalidRequest', 'x-amz-checksum-type needs x-amz-checksum-algorithm.', {
      fields: { ArgumentName: 'x-amz-checksum-type', ArgumentValue: requestedType },
    });
  }
  const algorithm = checksumAlgorithmFromHeader(raw);
  if (!algorithm) {
    throw new S3Error('InvalidRequest', `Checksum algorithm ${raw} is not supported.`, {
      fields: { ArgumentName: 'x-amz-checksum-algorithm', ArgumentValue: raw },
    });
  }
  const checksumType = uploadChecksumType(algorithm, requestedType);
  if (!checksumType) {
    throw new S3Error(
      'InvalidRequest',
      `The ${requestedType} checksum type cannot be used with the ${algorithm} algorithm.`,
      { fields: { ArgumentName: 'x-amz-checksum-type', ArgumentValue: requestedType ?? '' } },
    );
  }
  return { checksumAlgorithm: algorithm, checksumType };
}

function partNumberOf(ctx: S3Context): number {
  const raw = ctx.query.get('partNumber') ?? '';
  const partNumber = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  checkPartNumber(partNumber);
  return partNumber;
}

/**
 * PUT /bucket/key?partNumber=N&uploadId=X (s3:PutObject; UploadPartCopy with
 * x-amz-copy-source also needs s3:GetObject on the source)
 */
export async function uploadPart(ctx: S3Context, bucketName: string, key: string) {
  const partNumber = partNumberOf(ctx);
  const { bucket, upload } = await requestedUploadIn(ctx, bucketName, key, 's3:PutObject');
  const sealed = keyForUpload(ctx, upload);
  if (ctx.request.headers['x-amz-copy-source'] !== undefined) {
    return uploadPartCopy(ctx, upload, partNumber, sealed);
  }
  // As for PutObject (AWS: any upload of an object with a retention period): the part of
  // an object that Complete will give retention, its own or the bucket's default, must
  // carry an integrity check.
  const retained = upload.lock?.retention ?? bucket.objectLock?.defaultRetention;
  if (retained) requireIntegrityCheck(ctx.request.headers);
  const quota = await partQuotaGuard(ctx, bucketName);
  const body = verifiedBody(ctx);
  const part = await ctx.deps.multipart.putPart(
    upload,
    { partNumber, versionId: ctx.deps.newId() },
    body.stream,
    (written) => {
      body.check(written);
      quota?.checkPart(written.size);
      return body.checksums();
    },
    sealed.key,
  );
  const answer: Record<string, string> = { etag: `"${part.etag}"`, ...sealed.answer };
  for (const [alg, value] of Object.entries(part.checksums ?? {})) {
    answer[`x-amz-checksum-${alg}`] = value;
  }
  sendEmpty(ctx, 200, answer);
}

async function uploadPartCopy(
  ctx: S3Context,
  upload: UploadRecord,
  partNumber: number,
  sealed: WriteSealing,
) {
  const { manifest } = await copySourceOf(ctx);
  const rangeHeader = one(ctx.request.headers, 'x-amz-copy-source-range');
  const range = parseCopySourceRange(rangeHeader, manifest.size);
  await readSmallBody(ctx, 0);
  // The source opens with its own key (SSE-C: the copy-source headers'); the part is sealed
  // as the upload asks.
  const { key } = keyForRead(ctx, manifest, COPY_SOURCE_CUSTOMER_PREFIX);
  const source = ctx.deps.objects.read(manifest, range.start, range.end, key);
  const part = await ctx.deps.multipart.putPart(
    upload,
    { partNumber, versionId: ctx.deps.newId() },
    source,
    (written) => {
      if (written.size !== range.end - range.start + 1) {
        throw new Error('copy source changed size mid-read');
      }
      return {};
    },
    sealed.key,
  );
  void ctx.reply.headers(sealed.answer);
  const body: Record<string, unknown> = {
    ETag: `"${part.etag}"`,
    LastModified: new Date(part.lastModifiedMs).toISOString(),
  };
  for (const [alg, value] of Object.entries(part.checksums ?? {})) {
    body[`Checksum${alg.toUpperCase()}`] = value;
  }
  sendXml(ctx, 200, renderXml('CopyPartResult', body));
}

export { completeMultipartUpload } from './multipart-complete.js';

/** DELETE /bucket/key?uploadId=X (s3:AbortMultipartUpload) */
export async function abortMultipartUpload(ctx: S3Context, bucketName: string, key: string) {
  const upload = await requestedUpload(ctx, bucketName, key, 's3:AbortMultipartUpload');
  await ctx.deps.multipart.abort(upload);
  sendEmpty(ctx, 204);
}
