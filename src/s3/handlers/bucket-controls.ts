/**
 * S3 Object Ownership (?ownershipControls) and Block Public Access (?publicAccessBlock,
 * ?policyStatus) of a bucket. Both change who may do what, so they are stanchion mutations
 * (stanchion/core/bucket-controls.ts decides them against the bucket's ACL and policy in
 * one order); the front end parses, authorizes and renders.
 */
import type {
  ObjectOwnership,
  PublicAccessBlock,
} from '../../../stanchion/core/bucket-controls.js';
import {
  parseOwnershipControlsXml,
  parsePublicAccessBlockXml,
  renderOwnershipControlsXml,
  renderPolicyStatusXml,
  renderPublicAccessBlockXml,
} from '../access/bucket-controls-xml.js';
import { bucketIsPublic } from '../access/public-policy.js';
import { readSmallBody } from '../../http/body.js';
import type { RequestContext } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { authorizedBucket } from './access.js';
import { throwIfRefused } from './refusal.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest OwnershipControls or PublicAccessBlockConfiguration body, in bytes. */
export const CONTROLS_BYTES_MAX = 16 * 1024;

async function setOwnership(
  ctx: RequestContext,
  bucket: { name: string; id: string },
  ownership: ObjectOwnership | null,
): Promise<void> {
  const result = await ctx.deps.stanchion.execute({
    type: 'set-bucket-ownership',
    name: bucket.name,
    bucketId: bucket.id,
    ownership,
  });
  throwIfRefused(result, bucket.name);
}

async function setPublicAccessBlock(
  ctx: RequestContext,
  bucket: { name: string; id: string },
  config: PublicAccessBlock | null,
): Promise<void> {
  const result = await ctx.deps.stanchion.execute({
    type: 'set-public-access-block',
    name: bucket.name,
    bucketId: bucket.id,
    config,
  });
  throwIfRefused(result, bucket.name);
}

/** GET /bucket?ownershipControls (s3:GetBucketOwnershipControls) */
export async function getBucketOwnershipControls(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:GetBucketOwnershipControls');
  if (bucket.objectOwnership === undefined) {
    throw new S3Error('OwnershipControlsNotFoundError', undefined, {
      fields: { BucketName: name },
    });
  }
  sendXml(ctx, 200, renderOwnershipControlsXml(bucket.objectOwnership));
}

/** PUT /bucket?ownershipControls (s3:PutBucketOwnershipControls) */
export async function putBucketOwnershipControls(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketOwnershipControls');
  const body = await readSmallBody(ctx, CONTROLS_BYTES_MAX);
  const ownership = parseOwnershipControlsXml(body.toString('utf8'));
  await setOwnership(ctx, bucket, ownership);
  sendEmpty(ctx, 200);
}

/** DELETE /bucket?ownershipControls (s3:PutBucketOwnershipControls); 204 even if none. */
export async function deleteBucketOwnershipControls(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketOwnershipControls');
  if (bucket.objectOwnership !== undefined) {
    await setOwnership(ctx, bucket, null);
  }
  sendEmpty(ctx, 204);
}

/** GET /bucket?publicAccessBlock (s3:GetBucketPublicAccessBlock) */
export async function getPublicAccessBlock(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:GetBucketPublicAccessBlock');
  if (bucket.publicAccessBlock === undefined) {
    throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, {
      fields: { BucketName: name },
    });
  }
  sendXml(ctx, 200, renderPublicAccessBlockXml(bucket.publicAccessBlock));
}

/** PUT /bucket?publicAccessBlock (s3:PutBucketPublicAccessBlock) */
export async function putPublicAccessBlock(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketPublicAccessBlock');
  const body = await readSmallBody(ctx, CONTROLS_BYTES_MAX);
  const config = parsePublicAccessBlockXml(body.toString('utf8'));
  await setPublicAccessBlock(ctx, bucket, config);
  sendEmpty(ctx, 200);
}

/** DELETE /bucket?publicAccessBlock (s3:PutBucketPublicAccessBlock); 204 even if none. */
export async function deletePublicAccessBlock(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketPublicAccessBlock');
  if (bucket.publicAccessBlock !== undefined) {
    await setPublicAccessBlock(ctx, bucket, null);
  }
  sendEmpty(ctx, 204);
}

/** GET /bucket?policyStatus (s3:GetBucketPolicyStatus) */
export async function getBucketPolicyStatus(ctx: RequestContext, name: string) {
  const bucket = await authorizedBucket(ctx, name, 's3:GetBucketPolicyStatus');
  sendXml(ctx, 200, renderPolicyStatusXml(bucketIsPublic(bucket)));
}
