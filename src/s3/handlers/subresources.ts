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

type SignedOperation = Exclude<SubresourceOperation, UnsignedOperation>;
type Handler<N extends SignedOperation['name']> = (
  ctx: S3Context,
  op: Extract<SignedOperation, { name: N }>,
) => Promise<void>;

/** One handler per signed sub-resource operation: the compiler checks none is missing. */
type HandlerTable = { [N in SignedOperation['name']]: Handler<N> };

const onBucket =
  (handle: (ctx: S3Context, bucket: string) => Promise<void>) =>
  (ctx: S3Context, op: { bucket: string }) =>
    handle(ctx, op.bucket);
const onObject =
  (handle: (ctx: S3Context, bucket: string, key: string) => Promise<void>) =>
  (ctx: S3Context, op: { bucket: string; key: string }) =>
    handle(ctx, op.bucket, op.key);

const HANDLERS: HandlerTable = {
  GetBucketVersioning: onBucket(getBucketVersioning),
  PutBucketVersioning: onBucket(putBucketVersioning),
  ListObjectVersions: onBucket(listObjectVersions),
  GetBucketTagging: onBucket(getBucketTagging),
  PutBucketTagging: onBucket(putBucketTagging),
  DeleteBucketTagging: onBucket(deleteBucketTagging),
  GetObjectTagging: onObject(getObjectTagging),
  PutObjectTagging: onObject(putObjectTagging),
  DeleteObjectTagging: onObject(deleteObjectTagging),
  GetObjectTorrent: onObject(getObjectTorrent),
  GetBucketCors: onBucket(getBucketCors),
  PutBucketCors: onBucket(putBucketCors),
  DeleteBucketCors: onBucket(deleteBucketCors),
  GetBucketEncryption: onBucket(getBucketEncryption),
  PutBucketEncryption: onBucket(putBucketEncryption),
  DeleteBucketEncryption: onBucket(deleteBucketEncryption),
  GetBucketLifecycle: onBucket(getBucketLifecycle),
  PutBucketLifecycle: onBucket(putBucketLifecycle),
  DeleteBucketLifecycle: onBucket(deleteBucketLifecycle),
  GetBucketAcl: onBucket(getBucketAcl),
  PutBucketAcl: onBucket(putBucketAcl),
  GetObjectAcl: onObject(getObjectAcl),
  PutObjectAcl: onObject(putObjectAcl),
  GetObjectAttributes: onObject(getObjectAttributes),
  GetBucketPolicy: onBucket(getBucketPolicy),
  PutBucketPolicy: onBucket(putBucketPolicy),
  DeleteBucketPolicy: onBucket(deleteBucketPolicy),
  GetBucketWebsite: onBucket(getBucketWebsite),
  PutBucketWebsite: onBucket(putBucketWebsite),
  DeleteBucketWebsite: onBucket(deleteBucketWebsite),
  GetObjectLockConfiguration: onBucket(getObjectLockConfiguration),
  PutObjectLockConfiguration: onBucket(putObjectLockConfiguration),
  GetObjectRetention: onObject(getObjectRetention),
  PutObjectRetention: onObject(putObjectRetention),
  GetObjectLegalHold: onObject(getObjectLegalHold),
  PutObjectLegalHold: onObject(putObjectLegalHold),
  GetBucketOwnershipControls: onBucket(getBucketOwnershipControls),
  PutBucketOwnershipControls: onBucket(putBucketOwnershipControls),
  DeleteBucketOwnershipControls: onBucket(deleteBucketOwnershipControls),
  GetPublicAccessBlock: onBucket(getPublicAccessBlock),
  PutPublicAccessBlock: onBucket(putPublicAccessBlock),
  DeletePublicAccessBlock: onBucket(deletePublicAccessBlock),
  GetBucketPolicyStatus: onBucket(getBucketPolicyStatus),
};

/** Runs a signed sub-resource operation. */
export function dispatchSubresource(ctx: S3Context, op: SignedOperation): Promise<void> {
  // The table pairs each name with its operation's handler; TypeScript cannot follow the
  // pairing through the index, hence the widening.
  const handle = HANDLERS[op.name] as (ctx: S3Context, op: SignedOperation) => Promise<void>;
  return handle(ctx, op);
}
