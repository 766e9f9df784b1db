/**
 * Deleting one key, as DeleteObject and DeleteObjects both do. A bucket never versioned
 * removes the object (today's path); a versioned bucket writes a delete marker (a "null"
 * one when versioning is suspended), keeping every version; a version id removes that one
 * version for good. What S3 answers about it comes back for the response.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import type { S3Context } from '../../http/context.js';
import { s3VersionIdOf, type Manifest } from '../../objects/manifest.js';
import { checkVersionIdForm, newVersionFields } from '../object-version.js';
import { S3Error } from '../../http/errors.js';
import { ObjectLockedError } from '../../objects/object-lock.js';
import { asksBypass } from '../object-lock-xml.js';
import { mayAccess } from './access.js';

/** What a delete did, in S3's terms. */
export interface DeleteOutcome {
  /** The version removed, or the delete marker written. */
  versionId?: string;
  /** Whether that version is a delete marker (written now, or the one removed). */
  deleteMarker?: boolean;
}

/** Deletes `key` (or its version `versionId`) of `bucket`; see the file comment. */
export async function deleteKey(
  ctx: S3Context,
  bucket: Pick<BucketRecord, 'id' | 'versioning'>,
  key: string,
  versionId: string | undefined,
  precondition?: (current: Manifest | undefined) => void,
): Promise<DeleteOutcome> {
  const objects = ctx.deps.objects;
  if (versionId !== undefined) {
    checkVersionIdForm(versionId);
    const removed = await deleteLockedVersion(ctx, bucket, key, versionId);
    return { versionId, ...(removed?.deleteMarker ? { deleteMarker: true } : {}) };
  }
  if (bucket.versioning === undefined) {
    await objects.delete(bucket.id, key, precondition);
    return {};
  }
  const marker: Manifest = {
    format: 1,
    versionId: ctx.deps.newId(),
    bucketId: bucket.id,
    key,
    size: 0,
    etag: '',
    lastModifiedMs: ctx.deps.clock(),
    blockSize: 0,
    blockCount: 0,
    headers: { contentType: '' },
    metadata: {},
    checksums: {},
    ...newVersionFields(bucket, objects),
    deleteMarker: true,
  };
  await objects.commit(marker, undefined, precondition);
  return { versionId: s3VersionIdOf(marker), deleteMarker: true };
}

/**
 * Removes one version unless object lock keeps it (AccessDenied, as AWS): GOVERNANCE gives
 * way to x-amz-bypass-governance-retention from a caller with s3:BypassGovernanceRetention.
 */
async function deleteLockedVersion(
  ctx: S3Context,
  bucket: Pick<BucketRecord, 'id' | 'versioning'> & Partial<BucketRecord>,
  key: string,
  versionId: string,
): Promise<Manifest | undefined> {
  // Only a request's own bucket record can grant the bypass (a caller passing less, such
  // as an internal worker, never bypasses anything).
  const record = bucket.name !== undefined && bucket.ownerId !== undefined;
  const bypassGovernance =
    record &&
    asksBypass(ctx.request.headers) &&
    mayAccess(ctx, bucket as BucketRecord, 's3:BypassGovernanceRetention', { key });
  try {
    return await ctx.deps.objects.versions.deleteVersion(bucket.id, key, versionId, {
      bypassGovernance,
    });
  } catch (error) {
    if (error instanceof ObjectLockedError) throw new S3Error('AccessDenied');
    throw error;
  }
}

/** The response headers of a DeleteObject that did `outcome`. */
export function deleteHeaders(outcome: DeleteOutcome): Record<string, string> {
  const headers: Record<string, string> = {};
  if (outcome.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  if (outcome.versionId !== undefined) headers['x-amz-version-id'] = outcome.versionId;
  return headers;
}
