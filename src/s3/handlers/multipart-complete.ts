/**
 * CompleteMultipartUpload. It reads only the small XML list of parts and writes only a
 * manifest. Its x-amz-checksum-<algorithm> header claims the whole object's checksum (the
 * composite or full-object one, computed from the parts' checksums), never the XML body's;
 * If-Match and If-None-Match make it conditional like a PUT. A Complete of an upload that
 * already completed, naming the same parts, is answered as the first was: SDKs retry it
 * when that answer was lost, and it must not fail an upload that succeeded.
 */
import { newVersionFields, writtenVersionHeader } from '../object-version.js';
import { newVersionLock } from './object-lock-write.js';
import { keyForUpload } from '../multipart-encryption.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmFromHeader,
  checksumHeaderName,
} from '../../auth/checksums.js';
import { checksumTypeOf, type Manifest } from '../../objects/manifest.js';
import {
  checkClaimedChecksum,
  type ClaimedChecksum,
  type RequestedPart,
  type UploadRecord,
} from '../../objects/multipart.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { checkPutConditions, putConditionsOf } from '../put-conditions.js';
import { parseCompleteXml } from '../request-xml.js';
import { renderXml } from '../../http/xml.js';
import { authorizedBucket } from './access.js';
import { quotaGuardOf, withQuotaCheck } from '../quota-check.js';
import { sendXml } from './responses.js';

/** Largest CompleteMultipartUpload body: 10,000 parts with checksums fit with room. */
const COMPLETE_BODY_BYTES_MAX = 8 * 1024 * 1024;

type Headers = S3Context['request']['headers'];

function one(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** POST /bucket/key?uploadId=X (s3:PutObject) */
export async function completeMultipartUpload(ctx: S3Context, bucketName: string, key: string) {
  const headers = ctx.request.headers;
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutObject', key);
  const conditions = putConditionsOf(headers);
  const claimed = claimedChecksumOf(headers);
  const uploadId = ctx.query.get('uploadId') ?? '';
  const upload = await ctx.deps.multipart.find(bucket.id, key, uploadId);
  const xml = await readSmallBody(ctx, COMPLETE_BODY_BYTES_MAX, { objectChecksumHeaders: true });
  const requested = parseCompleteXml(xml.toString('utf8'));
  if (!upload) {
    // A retry is answered as the first Complete was; its conditions held then (they would
    // fail now against the version that Complete made).
    const done = await completedBefore(ctx, bucket.id, key, uploadId, requested);
    checkClaimedChecksum(claimed, algorithmOf(done), Object.values(done.checksums)[0]);
    return sendResult(ctx, bucketName, key, done);
  }
  checkClaimedType(headers, upload);
  // A key Complete brings must be the upload's (AWS asks for it only with checksums).
  void ctx.reply.headers(keyForUpload(ctx, upload, false).answer);
  const precondition = withQuotaCheck(
    conditions && ((current?: Manifest) => checkPutConditions(conditions, current, key)),
    await quotaGuardOf(ctx, bucket),
  );
  const manifest = await ctx.deps.multipart.complete(upload, requested, ctx.deps.newId(), {
    ...(claimed ? { claimed } : {}),
    ...(precondition ? { precondition } : {}),
    version: {
      ...newVersionFields(bucket, ctx.deps.objects),
      ...newVersionLock(bucket, upload.lock, ctx.deps.clock()),
    },
  });
  sendResult(ctx, bucketName, key, manifest);
}

/** The version a retried Complete made; NoSuchUpload when there is none. */
async function completedBefore(
  ctx: S3Context,
  bucketId: string,
  key: string,
  uploadId: string,
  requested: readonly RequestedPart[],
): Promise<Manifest> {
  const done = await ctx.deps.multipart.completedBefore(bucketId, key, uploadId, requested);
  if (!done) throw new S3Error('NoSuchUpload');
  return done;
}

function algorithmOf(manifest: Manifest) {
  const name = Object.keys(manifest.checksums)[0];
  return name === undefined ? undefined : checksumAlgorithmFromHeader(name);
}

/**
 * The object checksum a Complete claims: at most one x-amz-checksum-<algorithm> header
 * (InvalidRequest for more); its value is checked against the parts' in the store.
 */
export function claimedChecksumOf(headers: Headers): ClaimedChecksum | undefined {
  const claims = CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
    const value = one(headers, checksumHeaderName(algorithm));
    return value === undefined ? [] : [{ algorithm, value: value.trim() }];
  });
  if (claims.length > 1) {
    throw new S3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  return claims[0];
}

/** x-amz-checksum-type on Complete must be the upload's (InvalidRequest otherwise). */
function checkClaimedType(headers: Headers, upload: UploadRecord): void {
  const claimed = one(headers, 'x-amz-checksum-type')?.trim().toUpperCase();
  if (claimed === undefined) return;
  const type = upload.checksumAlgorithm ? (upload.checksumType ?? 'COMPOSITE') : undefined;
  if (claimed !== type) {
    throw new S3Error(
      'InvalidRequest',
      `The upload was created with ${type ?? 'no'} checksum type, not ${claimed}.`,
      { fields: { ArgumentName: 'x-amz-checksum-type', ArgumentValue: claimed } },
    );
  }
}

function sendResult(ctx: S3Context, bucketName: string, key: string, manifest: Manifest) {
  const host = one(ctx.request.headers, 'host') ?? 'localhost';
  const path = `${bucketName}/${encodeURIComponent(key).replaceAll('%2F', '/')}`;
  const body: Record<string, unknown> = {
    Location: `${ctx.request.protocol}://${host}/${path}`,
    Bucket: bucketName,
    Key: key,
    ETag: `"${manifest.etag}"`,
  };
  for (const [alg, value] of Object.entries(manifest.checksums)) {
    body[`Checksum${alg.toUpperCase()}`] = value;
    body['ChecksumType'] = checksumTypeOf(manifest);
  }
  ctx.reply.headers(writtenVersionHeader(manifest));
  sendXml(ctx, 200, renderXml('CompleteMultipartUploadResult', body));
}
