/**
 * GET /riak-cs/storage[/<key_id>][?bucket=<name>]: current storage from the counters (no
 * manifest is read), for `cairn-admin storage`. With a key id: that user (the admin, or the
 * user itself); without: every user, or the owner of ?bucket= (the admin only).
 */
import type { UserRecord } from '../../stanchion/core/records.js';
import { listUsers, readBucket, readUserById, readUserByKey } from '../../stanchion/reader.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import type { Usage } from '../usage/core/storage-delta.js';
import type { UserUsage } from '../usage/storage-archive.js';
import { checkAllowed, usageOf } from './usage-routes.js';

const USERS_LISTED_MAX = 1000;

/** One user in the answer. */
interface UserStorageJson {
  KeyId: string;
  UserId: string;
  Name: string;
  Objects: number;
  Bytes: number;
  /** Noncurrent versions of versioned buckets (absent when none): counted apart. */
  NoncurrentObjects?: number;
  NoncurrentBytes?: number;
  Buckets: Array<{ Name: string; Objects: number; Bytes: number } & NoncurrentJson>;
}

type NoncurrentJson = { NoncurrentObjects?: number; NoncurrentBytes?: number };

function noncurrentJson(usage: Usage | undefined): NoncurrentJson {
  return usage ? { NoncurrentObjects: usage.objects, NoncurrentBytes: usage.bytes } : {};
}

function userJson(user: UserRecord, usage: UserUsage, bucket?: string): UserStorageJson {
  const buckets = usage.buckets.filter((b) => bucket === undefined || b.name === bucket);
  const total = bucket === undefined ? usage.total : (buckets[0]?.usage ?? usage.total);
  const old = bucket === undefined ? usage.noncurrent : buckets[0]?.noncurrent;
  return {
    KeyId: user.keyId,
    UserId: user.id,
    Name: user.name,
    Objects: total.objects,
    Bytes: total.bytes,
    ...noncurrentJson(old),
    Buckets: buckets.map((b) => ({
      Name: b.name,
      Objects: b.usage.objects,
      Bytes: b.usage.bytes,
      ...noncurrentJson(b.noncurrent),
    })),
  };
}

/** The users the request names, after checking the caller may see them. */
async function namedUsers(ctx: RequestContext, keyId: string, bucket?: string) {
  const ring = ctx.deps.ring;
  if (keyId !== '') {
    checkAllowed(ctx, keyId);
    const user = await readUserByKey(ring, keyId);
    if (!user) throw new S3Error('NoSuchUser');
    return [user];
  }
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  if (bucket !== undefined) {
    const record = await readBucket(ring, bucket);
    const owner = record ? await readUserById(ring, record.ownerId) : undefined;
    if (!owner) throw S3Error.noSuchBucket(bucket);
    return [owner];
  }
  return listUsers(ring, undefined, USERS_LISTED_MAX);
}

/** GET /riak-cs/storage and GET /riak-cs/storage/<key_id>. */
export async function storageRoute(ctx: RequestContext, keyId: string): Promise<void> {
  const usage = usageOf(ctx);
  const bucket = ctx.query.get('bucket') ?? undefined;
  const users = await namedUsers(ctx, keyId, bucket);
  const answer: UserStorageJson[] = [];
  for (const user of users) {
    const current = await usage.storage.userUsage(user.id);
    if (bucket !== undefined && !current.buckets.some((b) => b.name === bucket)) {
      throw S3Error.noSuchBucket(bucket);
    }
    answer.push(userJson(user, current, bucket));
  }
  void ctx.reply
    .code(200)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ Users: answer }));
}
