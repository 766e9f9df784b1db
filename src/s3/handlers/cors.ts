/**
 * CORS: the bucket's configuration (?cors), the unauthenticated preflight (OPTIONS), and
 * the Access-Control-* headers added to actual requests that carry an Origin. The rules
 * live in the bucket's settings record; evaluation is the pure cors-rules.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readBucket } from '../../../stanchion/reader.js';
import { readBucketSettings, writeBucketSetting } from '../../objects/bucket-settings.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context, S3Deps } from '../../http/context.js';
import {
  corsResponseHeaders,
  matchCorsRule,
  parseCorsXml,
  renderCors,
  requestedHeaders,
} from '../cors-rules.js';
import { S3Error } from '../../http/errors.js';
import { authorizedBucket } from './access.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest CORSConfiguration accepted, in bytes (S3's limit: 64 KB). */
export const CORS_BYTES_MAX = 64 * 1024;

/** GET /bucket?cors */
export async function getBucketCors(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetBucketCORS');
  const { cors } = await readBucketSettings(ctx.deps.ring, bucket.id);
  if (!cors || cors.length === 0) {
    throw new S3Error('NoSuchCORSConfiguration', undefined, { fields: { BucketName: bucketName } });
  }
  sendXml(ctx, 200, renderCors(cors));
}

/** PUT /bucket?cors */
export async function putBucketCors(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketCORS');
  const body = await readSmallBody(ctx, CORS_BYTES_MAX);
  const rules = parseCorsXml(body.toString('utf8'));
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'cors', rules, write);
  sendEmpty(ctx, 200);
}

/** DELETE /bucket?cors */
export async function deleteBucketCors(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketCORS');
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucket.id, 'cors', null, write);
  sendEmpty(ctx, 204);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** OPTIONS /bucket[/key]: a CORS preflight. Needs no credentials, as in S3. */
export async function corsPreflight(
  deps: S3Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  op: { bucket: string; key?: string },
): Promise<void> {
  const origin = header(request, 'origin');
  if (origin === undefined) {
    throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  }
  const method = header(request, 'access-control-request-method');
  if (method === undefined || !/^[A-Z]+$/.test(method)) {
    throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${method ?? null}`);
  }
  const fields = { Method: method, ResourceType: op.key === undefined ? 'BUCKET' : 'OBJECT' };
  const bucket = await readBucket(deps.ring, op.bucket);
  if (!bucket) throw S3Error.noSuchBucket(op.bucket);
  const { cors } = await readBucketSettings(deps.ring, bucket.id);
  if (!cors) {
    throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', {
      fields,
    });
  }
  const corsRequest = {
    origin,
    method,
    headers: requestedHeaders(header(request, 'access-control-request-headers')),
  };
  const rule = matchCorsRule(cors, corsRequest);
  if (!rule) {
    throw new S3Error('AccessForbidden', undefined, { fields });
  }
  void reply
    .code(200)
    .headers(corsResponseHeaders(rule, corsRequest, true))
    .send();
}

/**
 * Adds the Access-Control-* headers to an actual request with an Origin, when a rule of its
 * bucket allows it; errors and all. A failure to read the rules adds nothing: the request
 * itself will meet the same failure and report it.
 */
export async function addCorsHeaders(
  deps: S3Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  bucketName: string,
): Promise<void> {
  const origin = header(request, 'origin');
  if (origin === undefined) return;
  try {
    const bucket = await readBucket(deps.ring, bucketName);
    if (!bucket) return;
    const { cors } = await readBucketSettings(deps.ring, bucket.id);
    // Browsers send Access-Control-Request-Method only on a preflight; when an actual request
    // carries one anyway, the rule is matched against it, as RGW does (s3-tests expect it).
    const method = header(request, 'access-control-request-method') ?? request.method;
    const corsRequest = { origin, method, headers: [] };
    const rule = cors && matchCorsRule(cors, corsRequest);
    if (rule) void reply.headers(corsResponseHeaders(rule, corsRequest, false));
  } catch (error) {
    request.log.debug({ err: error }, 'CORS rules unreadable');
  }
}
