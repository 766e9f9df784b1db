/**
 * Dispatch of the sub-resource operations (subresource-operation.ts), kept
 * apart from app.ts's dispatch so that features land in their own files.
 */
import type { S3Context } from '../../http/context.js';
import type { SubresourceOperation } from '../subresource-operation.js';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './acl.js';
import {
  deleteBucketOwnershipControls,
  deletePublicAccessBlock,
  getBucketOwnershipControls,
  getBucketPolicyStatus,
  getPublicAccessBlock,
  putBucketOwnershipControls,
  putPublicAccessBlock,
} from './bucket-controls.js';
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from './bucket-policy.js';
import { deleteBucketCors, getBucketCors, putBucketCors } from './cors.js';
import { deleteBucketLifecycle, getBucketLifecycle, putBucketLifecycle } from './lifecycle.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './encryption.js';
import { getObjectTorrent } from './object.js';
import {
  getObjectLegalHold,
  getObjectLockConfiguration,
  getObjectRetention,
  putObjectLegalHold,
  putObjectLockConfiguration,
  putObjectRetention,
} from './object-lock.js';
import { getObjectAttributes } from './object-attributes.js';
import { deleteBucketWebsite, getBucketWebsite, putBucketWebsite } from './website.js';
import {
  deleteBucketTagging,
  deleteObjectTagging,
  getBucketTagging,
  getObjectTagging,
  putBucketTagging,
  putObjectTagging,
} from './tagging.js';
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from './versioning.js';

/** Operations that need no signed user: app.ts routes them before authentication. */
export type UnsignedOperation = Extract<
  SubresourceOperation,
  { name: 'CorsPreflight' | 'PostObject' }
>;

type BucketControlOperation = Extract<
  SubresourceOperation,
  {
    name:
      | 'GetBucketOwnershipControls'
      | 'PutBucketOwnershipControls'
      | 'DeleteBucketOwnershipControls'
      | 'GetPublicAccessBlock'
      | 'PutPublicAccessBlock'
      | 'DeletePublicAccessBlock'
      | 'GetBucketPolicyStatus';
  }
>;

/** Runs a signed sub-resource operation. */
export function dispatchSubresource(
  ctx: S3Context,
  op: Exclude<SubresourceOperation, UnsignedOperation>,
): Promise<void> {
  switch (op.name) {
    case 'GetBucketVersioning':
      return getBucketVersioning(ctx, op.bucket);
    case 'PutBucketVersioning':
      return putBucketVersioning(ctx, op.bucket);
    case 'ListObjectVersions':
      return listObjectVersions(ctx, op.bucket);
    case 'GetBucketTagging':
      return getBucketTagging(ctx, op.bucket);
    case 'PutBucketTagging':
      return putBucketTagging(ctx, op.bucket);
    case 'DeleteBucketTagging':
      return deleteBucketTagging(ctx, op.bucket);
    case 'GetObjectTagging':
      return getObjectTagging(ctx, op.bucket, op.key);
    case 'PutObjectTagging':
      return putObjectTagging(ctx, op.bucket, op.key);
    case 'DeleteObjectTagging':
      return deleteObjectTagging(ctx, op.bucket, op.key);
    case 'GetObjectTorrent':
      return getObjectTorrent(ctx, op.bucket, op.key);
    case 'GetBucketCors':
      return getBucketCors(ctx, op.bucket);
    case 'PutBucketCors':
      return putBucketCors(ctx, op.bucket);
    case 'DeleteBucketCors':
      return deleteBucketCors(ctx, op.bucket);
    case 'GetBucketEncryption':
      return getBucketEncryption(ctx, op.bucket);
    case 'GetBucketLifecycle':
      return getBucketLifecycle(ctx, op.bucket);
    case 'PutBucketLifecycle':
      return putBucketLifecycle(ctx, op.bucket);
    case 'DeleteBucketLifecycle':
      return deleteBucketLifecycle(ctx, op.bucket);
    case 'PutBucketEncryption':
      return putBucketEncryption(ctx, op.bucket);
    case 'DeleteBucketEncryption':
      return deleteBucketEncryption(ctx, op.bucket);
    case 'GetBucketAcl':
      return getBucketAcl(ctx, op.bucket);
    case 'PutBucketAcl':
      return putBucketAcl(ctx, op.bucket);
    case 'GetObjectAcl':
      return getObjectAcl(ctx, op.bucket, op.key);
    case 'PutObjectAcl':
      return putObjectAcl(ctx, op.bucket, op.key);
    case 'GetObjectAttributes':
      return getObjectAttributes(ctx, op.bucket, op.key);
    case 'GetBucketPolicy':
      return getBucketPolicy(ctx, op.bucket);
    case 'PutBucketPolicy':
      return putBucketPolicy(ctx, op.bucket);
    case 'DeleteBucketPolicy':
      return deleteBucketPolicy(ctx, op.bucket);
    case 'GetBucketWebsite':
      return getBucketWebsite(ctx, op.bucket);
    case 'PutBucketWebsite':
      return putBucketWebsite(ctx, op.bucket);
    case 'DeleteBucketWebsite':
      return deleteBucketWebsite(ctx, op.bucket);
    default:
      return dispatchRest(ctx, op);
  }
}

type LockOperation = Extract<
  SubresourceOperation,
  {
    name:
      | 'GetObjectLockConfiguration'
      | 'PutObjectLockConfiguration'
      | 'GetObjectRetention'
      | 'PutObjectRetention'
      | 'GetObjectLegalHold'
      | 'PutObjectLegalHold';
  }
>;

function dispatchRest(ctx: S3Context, op: BucketControlOperation | LockOperation) {
  switch (op.name) {
    case 'GetObjectLockConfiguration':
      return getObjectLockConfiguration(ctx, op.bucket);
    case 'PutObjectLockConfiguration':
      return putObjectLockConfiguration(ctx, op.bucket);
    case 'GetObjectRetention':
      return getObjectRetention(ctx, op.bucket, op.key);
    case 'PutObjectRetention':
      return putObjectRetention(ctx, op.bucket, op.key);
    case 'GetObjectLegalHold':
      return getObjectLegalHold(ctx, op.bucket, op.key);
    case 'PutObjectLegalHold':
      return putObjectLegalHold(ctx, op.bucket, op.key);
    default:
      return dispatchBucketControls(ctx, op);
  }
}

function dispatchBucketControls(ctx: S3Context, op: BucketControlOperation): Promise<void> {
  switch (op.name) {
    case 'GetBucketOwnershipControls':
      return getBucketOwnershipControls(ctx, op.bucket);
    case 'PutBucketOwnershipControls':
      return putBucketOwnershipControls(ctx, op.bucket);
    case 'DeleteBucketOwnershipControls':
      return deleteBucketOwnershipControls(ctx, op.bucket);
    case 'GetPublicAccessBlock':
      return getPublicAccessBlock(ctx, op.bucket);
    case 'PutPublicAccessBlock':
      return putPublicAccessBlock(ctx, op.bucket);
    case 'DeletePublicAccessBlock':
      return deletePublicAccessBlock(ctx, op.bucket);
    case 'GetBucketPolicyStatus':
      return getBucketPolicyStatus(ctx, op.bucket);
  }
}
