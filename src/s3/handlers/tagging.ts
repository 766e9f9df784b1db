/**
 * Bucket and object tagging (?tagging). Object tags live in the object's manifest, so they
 * come and go with the version they describe; bucket tags live in the bucket's settings
 * record. Bodies are capped and parsed by the hardened XML parser before anything changes.
 */
import { readBucketSettings, writeBucketSetting } from '../../objects/bucket-settings.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { BUCKET_TAGS_MAX, OBJECT_TAGS_MAX, parseTaggingXml, renderTagging } from '../tags.js';
import type { Manifest, Tag } from '../../objects/manifest.js';
import { versionIdHeader } from '../object-version.js';
import { authorizedBucket, authorizedObject, existingBucket } from './access.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest Tagging document accepted, in bytes. */
export const TAGGING_BYTES_MAX = 64 * 1024;

async function tagsOfBody(ctx: S3Context, countMax: number) {
  const body = await readSmallBody(ctx, TAGGING_BYTES_MAX);
  return parseTaggingXml(body.toString('utf8'), countMax);
}

function writeOf(ctx: S3Context) {
  return { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
}

/** GET /bucket?tagging */
export async function getBucketTagging(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetBucketTagging');
  const { tags } = await readBucketSettings(ctx.deps.ring, bucket.id);
  if (!tags || tags.length === 0) {
    throw new S3Error('NoSuchTagSet', undefined, { fields: { BucketName: bucketName } });
  }
  sendXml(ctx, 200, renderTagging(tags));
}

/** PUT /bucket?tagging */
export async function putBucketTagging(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketTagging');
  const tags = await tagsOfBody(ctx, BUCKET_TAGS_MAX);
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'tags', tags, writeOf(ctx));
  sendEmpty(ctx, 204);
}

/** DELETE /bucket?tagging */
export async function deleteBucketTagging(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketTagging');
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'tags', null, writeOf(ctx));
  sendEmpty(ctx, 204);
}

/** GET /bucket/key?tagging */
export async function getObjectTagging(ctx: S3Context, bucketName: string, key: string) {
  const bucket = await existingBucket(ctx, bucketName);
  const versionId = ctx.query.get('versionId');
  const manifest = await authorizedObject(ctx, bucket, key, 's3:GetObjectTagging', {}, versionId);
  ctx.reply.headers(versionIdHeader(manifest));
  sendXml(ctx, 200, renderTagging(manifest.tags ?? []));
}

/**
 * PUT /bucket/key?tagging. The small body is read before the access check, the one place
 * that does: a policy may test the tags it asks for (s3:RequestObjectTag/<key>) and the
 * object's current ones (s3:ExistingObjectTag/<key>). A refused request still changes nothing.
 */
export async function putObjectTagging(ctx: S3Context, bucketName: string, key: string) {
  const bucket = await existingBucket(ctx, bucketName);
  const tags = await tagsOfBody(ctx, OBJECT_TAGS_MAX);
  const versionId = ctx.query.get('versionId');
  const facts = { requestTags: tags };
  const found = await authorizedObject(ctx, bucket, key, 's3:PutObjectTagging', facts, versionId);
  const manifest = await setTagsOf(
    ctx,
    bucket.id,
    key,
    versionId === null ? undefined : found,
    tags,
  );
  sendEmpty(ctx, 200, versionIdHeader(manifest));
}

/** DELETE /bucket/key?tagging */
export async function deleteObjectTagging(ctx: S3Context, bucketName: string, key: string) {
  const bucket = await existingBucket(ctx, bucketName);
  // The object's tags are s3:ExistingObjectTag/<key> to a policy.
  const versionId = ctx.query.get('versionId');
  const found = await authorizedObject(ctx, bucket, key, 's3:DeleteObjectTagging', {}, versionId);
  const manifest = await setTagsOf(ctx, bucket.id, key, versionId === null ? undefined : found, []);
  sendEmpty(ctx, 204, versionIdHeader(manifest));
}

/** Sets the tags of the current object, or of the version `found` (read by ?versionId). */
async function setTagsOf(
  ctx: S3Context,
  bucketId: string,
  key: string,
  found: Manifest | undefined,
  tags: Tag[],
): Promise<Manifest> {
  const objects = ctx.deps.objects;
  const manifest = found
    ? await objects.setVersionTags(found, tags)
    : await objects.setTags(bucketId, key, tags);
  if (!manifest) throw S3Error.noSuchKey(key);
  return manifest;
}
