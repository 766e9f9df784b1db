/**
 * Bucket policies (?policy). The document is validated in full (access/policy.ts) before
 * stanchion stores it, so every stored policy parses; it is kept as the owner sent it and
 * returned byte for byte, as S3 does.
 */
import { checkNewPolicy, POLICY_BYTES_MAX } from '../access/policy.js';
import { isPublicPolicy } from '../access/public-policy.js';
import { readSmallBody } from '../../http/body.js';
import type { RequestContext } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { authorizedBucket } from './access.js';
import { throwIfRefused } from './refusal.js';
import { sendEmpty } from './responses.js';

/**
 * Most bytes of a PutBucketPolicy body read. POLICY_BYTES_MAX counts the policy without its
 * whitespace (as AWS does), so an indented one may be larger as sent; past this it is
 * refused unread.
 */
const POLICY_BODY_BYTES_MAX = 4 * POLICY_BYTES_MAX;

/** GET /bucket?policy (s3:GetBucketPolicy) */
export async function getBucketPolicy(ctx: RequestContext, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:GetBucketPolicy');
  if (bucket.policy === undefined) {
    throw new S3Error('NoSuchBucketPolicy', undefined, { fields: { BucketName: name } });
  }
  void ctx.reply.code(200).header('content-type', 'application/json').send(bucket.policy);
}

/** PUT /bucket?policy (s3:PutBucketPolicy) */
export async function putBucketPolicy(ctx: RequestContext, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketPolicy');
  // Refused before a byte is read: a body abandoned half-read can wedge the connection.
  const declared = Number(ctx.request.headers['content-length'] ?? 0);
  if (declared > POLICY_BODY_BYTES_MAX) throw tooLarge();
  let body: Buffer;
  try {
    body = await readSmallBody(ctx, POLICY_BODY_BYTES_MAX);
  } catch (error) {
    if (error instanceof S3Error && error.code === 'MaxMessageLengthExceeded') throw tooLarge();
    throw error;
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw new S3Error('MalformedPolicy', 'The policy is empty.');
  checkNewPolicy(text, name);
  await setPolicy(ctx, bucket, text);
  sendEmpty(ctx, 204);
}

/** DELETE /bucket?policy (s3:DeleteBucketPolicy); 204 whether or not there was one. */
export async function deleteBucketPolicy(ctx: RequestContext, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:DeleteBucketPolicy');
  if (bucket.policy !== undefined) await setPolicy(ctx, bucket, null);
  sendEmpty(ctx, 204);
}

function tooLarge(): S3Error {
  return new S3Error('MalformedPolicy', 'Policy exceeds the maximum allowed document size.');
}

async function setPolicy(
  ctx: RequestContext,
  bucket: { name: string; id: string },
  policy: string | null,
): Promise<void> {
  const result = await ctx.deps.stanchion.execute({
    type: 'set-bucket-policy',
    name: bucket.name,
    bucketId: bucket.id,
    policy,
    // Stanchion refuses a public policy while the bucket blocks them (BlockPublicPolicy).
    isPublic: policy !== null && isPublicPolicy(policy),
  });
  throwIfRefused(result, bucket.name);
}
