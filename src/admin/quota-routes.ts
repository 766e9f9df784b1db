/**
 * The quota endpoints of the admin API, in the style of Riak CS's /riak-cs/user:
 * GET|PUT|DELETE /riak-cs/quota/user/<key_id> and /riak-cs/quota/bucket/<name>. A PUT sends
 * JSON `{"max_bytes": 10737418240 | "10GiB" | null, "max_objects": 1000 | null}`: a value sets
 * that limit, null removes it, an absent field keeps it; DELETE removes both. Only the admin
 * changes quotas; a user may read its own and its buckets'. Stanchion orders the change like
 * any other user or bucket mutation; a bad value or an unknown name changes nothing.
 */
import type { QuotaChanges, QuotaTarget } from '../../stanchion/core/commands.js';
import type { BucketRecord, Quota, UserRecord } from '../../stanchion/core/records.js';
import { readBucket, readUserByKey } from '../../stanchion/reader.js';
import { readSmallBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { parseQuotaBytes, parseQuotaObjects, QuotaValueError } from '../usage/core/quota-values.js';
import type { Usage } from '../usage/core/storage-delta.js';

/** A quota body is a few dozen bytes; more is not a quota. */
const QUOTA_BODY_BYTES_MAX = 4096;

/** The JSON of a quota answer. */
export interface QuotaJson {
  user?: string;
  bucket?: string;
  max_bytes: number | null;
  max_objects: number | null;
  usage: { bytes: number; objects: number };
}

/** GET /riak-cs/quota/user/<key_id>: the admin, or the user itself. */
export async function getUserQuotaRoute(ctx: RequestContext, keyId: string): Promise<void> {
  if (!ctx.user?.isAdmin && ctx.user?.keyId !== keyId) throw new S3Error('AccessDenied');
  const user = await existingUser(ctx, keyId);
  send(ctx, { user: keyId, ...quotaJson(user.quota), usage: await usageOf(ctx, user) });
}

/** GET /riak-cs/quota/bucket/<name>: the admin, or the bucket's owner. */
export async function getBucketQuotaRoute(ctx: RequestContext, name: string): Promise<void> {
  if (!ctx.user) throw new S3Error('AccessDenied');
  const bucket = await readBucket(ctx.deps.ring, name);
  if (!ctx.user.isAdmin && bucket?.ownerId !== ctx.user.id) throw new S3Error('AccessDenied');
  if (!bucket) throw S3Error.noSuchBucket(name);
  send(ctx, { bucket: name, ...quotaJson(bucket.quota), usage: await usageOf(ctx, bucket) });
}

/** PUT /riak-cs/quota/user/<key_id> (the admin only). */
export function setUserQuotaRoute(ctx: RequestContext, keyId: string): Promise<void> {
  return changeQuota(ctx, { user: keyId }, 'put');
}

/** PUT /riak-cs/quota/bucket/<name> (the admin only). */
export function setBucketQuotaRoute(ctx: RequestContext, name: string): Promise<void> {
  return changeQuota(ctx, { bucket: name }, 'put');
}

/** DELETE /riak-cs/quota/user/<key_id> (the admin only). */
export function clearUserQuotaRoute(ctx: RequestContext, keyId: string): Promise<void> {
  return changeQuota(ctx, { user: keyId }, 'delete');
}

/** DELETE /riak-cs/quota/bucket/<name> (the admin only). */
export function clearBucketQuotaRoute(ctx: RequestContext, name: string): Promise<void> {
  return changeQuota(ctx, { bucket: name }, 'delete');
}

async function changeQuota(ctx: RequestContext, target: QuotaTarget, method: 'put' | 'delete') {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const body = await readSmallBody(ctx, QUOTA_BODY_BYTES_MAX);
  const changes: QuotaChanges =
    method === 'delete' ? { bytesMax: null, objectsMax: null } : parseQuotaBody(body);
  const result = await ctx.deps.stanchion.execute({ type: 'set-quota', target, changes });
  if (!result.ok) {
    if (result.code === 'NoSuchBucket' && 'bucket' in target) {
      throw S3Error.noSuchBucket(target.bucket);
    }
    if (result.code === 'NoSuchUser' || result.code === 'InvalidArgument') {
      throw new S3Error(result.code, result.detail);
    }
    throw new S3Error('InternalError', result.detail);
  }
  const record: UserRecord | BucketRecord | undefined = result.user ?? result.bucket;
  const name = 'user' in target ? { user: target.user } : { bucket: target.bucket };
  send(ctx, { ...name, ...quotaJson(record?.quota), usage: await usageOf(ctx, record) });
}

/**
 * The changes a PUT body asks for: a JSON object with max_bytes and/or max_objects, each a
 * value or null; anything else is InvalidArgument, so a typo never passes as "no change".
 */
export function parseQuotaBody(body: Buffer): QuotaChanges {
  let fields: unknown;
  try {
    fields = JSON.parse(body.toString('utf8'));
  } catch {
    throw new S3Error('InvalidArgument', 'The quota must be a JSON object.');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new S3Error('InvalidArgument', 'The quota must be a JSON object.');
  }
  const entries = Object.entries(fields);
  const unknown = entries.find(([name]) => name !== 'max_bytes' && name !== 'max_objects');
  if (unknown) throw new S3Error('InvalidArgument', 'Only max_bytes and max_objects are known.');
  if (entries.length === 0) {
    throw new S3Error('InvalidArgument', 'Give max_bytes, max_objects or both.');
  }
  const record = fields as Record<string, unknown>;
  try {
    const changes: QuotaChanges = {};
    if ('max_bytes' in record) changes.bytesMax = nullOr(record.max_bytes, parseQuotaBytes);
    if ('max_objects' in record) {
      changes.objectsMax = nullOr(record.max_objects, parseQuotaObjects);
    }
    return changes;
  } catch (error) {
    if (error instanceof QuotaValueError) throw new S3Error('InvalidArgument', error.message);
    throw error;
  }
}

function nullOr(value: unknown, parse: (raw: unknown) => number): number | null {
  return value === null ? null : parse(value);
}

function quotaJson(quota: Quota | undefined) {
  return { max_bytes: quota?.bytesMax ?? null, max_objects: quota?.objectsMax ?? null };
}

async function existingUser(ctx: RequestContext, keyId: string): Promise<UserRecord> {
  const user = await readUserByKey(ctx.deps.ring, keyId);
  if (!user) throw new S3Error('NoSuchUser');
  return user;
}

/** Usage as the quota check sees it on this front end (absent where accounting is off). */
async function usageOf(ctx: RequestContext, record: UserRecord | BucketRecord | undefined) {
  const quotas = ctx.deps.quotas;
  if (!quotas || !record) return { bytes: 0, objects: 0 };
  const usage: Usage =
    'keyId' in record ? await quotas.userUsage(record.id) : await quotas.bucketUsage(record);
  return { bytes: usage.bytes, objects: usage.objects };
}

function send(ctx: RequestContext, body: QuotaJson): void {
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}
