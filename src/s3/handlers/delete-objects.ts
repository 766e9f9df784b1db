/**
 * DeleteObjects: POST /bucket?delete with up to 1,000 keys. As S3 requires, the body must
 * carry an integrity check (Content-MD5 or a flexible checksum), verified before any key is
 * deleted. Each key succeeds or fails on its own; quiet mode lists only the failures. An
 * ETag in an Object element makes its delete conditional, as DeleteObject's If-Match does.
 */
import type { Manifest } from '../../objects/manifest.js';
import { KEY_BYTES_MAX } from '../operation.js';
import { checkPutConditions, putConditionsOf } from '../put-conditions.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { toS3Error } from '../../http/error-mapping.js';
import { S3Error } from '../../http/errors.js';
import { parseDeleteXml, type DeleteTarget } from '../request-xml.js';
import { renderXml } from '../../http/xml.js';
import { actionFor } from '../access/version-actions.js';
import { bucketAccessOf, existingBucket, mayAccess } from './access.js';
import { checkVersionIdForm } from '../object-version.js';
import { deleteKey, type DeleteOutcome } from './object-delete.js';
import { sendXml } from './responses.js';

/** Largest Delete body: 1,000 keys of 1,024 bytes, escaped, with room for the markup. */
const DELETE_BODY_BYTES_MAX = 8 * 1024 * 1024;

/** Keys deleted at once. */
const DELETES_IN_FLIGHT_MAX = 16;

const CHECKSUM_HEADER = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/;

type Outcome = {
  key: string;
  done?: DeleteOutcome;
  versionId?: string;
  error?: { code: string; message: string };
};

/** POST /bucket?delete (s3:DeleteObject, decided key by key) */
export async function deleteObjects(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await existingBucket(ctx, bucketName);
  requireIntegrityCheck(ctx.request.headers);
  const xml = await readSmallBody(ctx, DELETE_BODY_BYTES_MAX);
  const { quiet, objects } = parseDeleteXml(xml.toString('utf8'));
  const access = bucketAccessOf(bucket, ctx.deps.records);
  const outcomes = await mapBounded(
    objects,
    DELETES_IN_FLIGHT_MAX,
    async (target): Promise<Outcome> => {
      try {
        checkTarget(target);
        const action = actionFor('s3:DeleteObject', target.versionId);
        if (!mayAccess(ctx, bucket, action, { key: target.key }, access)) {
          throw new S3Error('AccessDenied');
        }
        const done = await deleteKey(
          ctx,
          bucket,
          target.key,
          target.versionId,
          deleteCondition(target),
        );
        return { key: target.key, done, ...versionOf(target) };
      } catch (error) {
        const s3 = toS3Error(error);
        if (s3.code === 'InternalError') ctx.request.log.error({ err: error }, 'delete failed');
        const failed = { code: s3.code, message: s3.message };
        return { key: target.key, ...versionOf(target), error: failed };
      }
    },
  );
  const body: Record<string, unknown> = {};
  const deleted = outcomes.filter((o) => !o.error).map(deletedEntry);
  const errors = outcomes.flatMap((o: Outcome) =>
    o.error
      ? [{ Key: o.key, ...versionField(o), Code: o.error.code, Message: o.error.message }]
      : [],
  );
  if (!quiet && deleted.length > 0) body['Deleted'] = deleted;
  if (errors.length > 0) body['Error'] = errors;
  sendXml(ctx, 200, renderXml('DeleteResult', body));
}

function versionOf(target: DeleteTarget): { versionId?: string } {
  return target.versionId === undefined ? {} : { versionId: target.versionId };
}

function versionField(outcome: Outcome): { VersionId?: string } {
  return outcome.versionId === undefined ? {} : { VersionId: outcome.versionId };
}

/** A Deleted entry as S3 writes it: the version asked for, and any delete marker. */
function deletedEntry(outcome: Outcome): Record<string, unknown> {
  const entry: Record<string, unknown> = { Key: outcome.key, ...versionField(outcome) };
  const done = outcome.done;
  if (done?.deleteMarker) {
    entry['DeleteMarker'] = true;
    if (outcome.versionId === undefined) entry['DeleteMarkerVersionId'] = done.versionId;
  }
  return entry;
}

/** S3 refuses a DeleteObjects body that nothing lets it verify. */
export function requireIntegrityCheck(headers: S3Context['request']['headers']): void {
  if (headers['content-md5'] !== undefined) return;
  if (Object.keys(headers).some((name) => CHECKSUM_HEADER.test(name))) return;
  const trailer = String(headers['x-amz-trailer'] ?? '').toLowerCase();
  if (CHECKSUM_HEADER.test(trailer.trim())) return;
  throw new S3Error(
    'InvalidRequest',
    'Missing required header for this request: Content-MD5 or x-amz-checksum-*',
  );
}

/** The precondition of a conditional delete (an ETag in the Object element), if any. */
function deleteCondition(target: DeleteTarget) {
  if (target.etag === undefined) return undefined;
  const conditions = putConditionsOf({ 'if-match': target.etag });
  return (
    conditions && ((current?: Manifest) => checkPutConditions(conditions, current, target.key))
  );
}

function checkTarget(target: DeleteTarget): void {
  if (target.unsupported !== undefined) {
    throw S3Error.notImplemented(`A conditional delete by ${target.unsupported}`);
  }
  if (target.key === '') throw new S3Error('InvalidArgument', 'An object key must not be empty.');
  if (Buffer.byteLength(target.key, 'utf8') > KEY_BYTES_MAX) {
    throw new S3Error('KeyTooLongError');
  }
  if (target.versionId !== undefined) checkVersionIdForm(target.versionId);
}

/** Maps `items` through `work`, at most `limit` at a time, keeping the order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
