/**
 * The website endpoint: a request whose Host is <bucket>.<website host base> is served as
 * the bucket's static website, as AWS's s3-website endpoints and RGW's
 * rgw_dns_s3website_name do. Anonymous GET and HEAD only (whatever the request signs),
 * public objects only (the same access decision as an anonymous GetObject), the index
 * document for '/' and 'dir/', routing rules, object redirects, RedirectAllRequestsTo, and
 * every error an HTML page (or the bucket's error document) with its status.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { S3Context, S3Deps } from '../../http/context.js';
import { drainAbandonedBody } from '../../http/body.js';
import { toS3Error } from '../../http/error-mapping.js';
import { S3Error } from '../../http/errors.js';
import { settingsOf } from '../../objects/bucket-settings-cache.js';
import type { WebsiteConfig } from '../../objects/website-config.js';
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { authorizedObject, existingBucket } from '../handlers/access.js';
import { sendObject } from '../handlers/object.js';
import { decodePath } from '../operation.js';
import { keyForRead } from '../object-encryption.js';
import { errorHeaders, renderErrorPage } from './error-page.js';
import {
  encodeKeyPath,
  indexedKey,
  matchRoutingRule,
  redirectAllTarget,
  ruleRedirect,
  websiteKeyOf,
  type WebsiteRedirectAnswer,
  type WebsiteRequest,
} from './routing.js';

/** One website request as it goes: what is known of it so far. */
interface Visit {
  ctx: S3Context;
  withBody: boolean;
  bucket?: BucketRecord;
  config?: WebsiteConfig;
  /** The requested key (before the index document), once the path is decoded. */
  key?: string;
}

/** Answers a request to the website of bucket `bucketName`; never throws. */
export async function serveWebsite(
  deps: S3Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  bucketName: string,
): Promise<void> {
  deps.observer?.noteOperation(request, 'WebsiteGet');
  // Anonymous whatever it carries: a website serves what the public may read, nothing more.
  const ctx: S3Context = {
    deps,
    request,
    reply,
    query: new URLSearchParams(),
    payload: { kind: 'none' },
  };
  const visit: Visit = { ctx, withBody: request.method !== 'HEAD' };
  try {
    await serveVisit(visit, bucketName);
  } catch (error) {
    await answerError(visit, error);
  }
}

function websiteRequestOf(request: FastifyRequest): WebsiteRequest {
  return { protocol: request.protocol === 'https' ? 'https' : 'http', host: request.host };
}

async function serveVisit(visit: Visit, bucketName: string): Promise<void> {
  const { ctx } = visit;
  const method = ctx.request.method;
  if (method !== 'GET' && method !== 'HEAD') throw new S3Error('MethodNotAllowed');
  const rawPath = (ctx.request.raw.url ?? '/').split('?')[0] ?? '/';
  const key = websiteKeyOf(decodePath(rawPath));
  const bucket = await existingBucket(ctx, bucketName);
  const config = (await settingsOf(ctx.deps, bucket.id)).website;
  if (!config) {
    throw new S3Error('NoSuchWebsiteConfiguration', undefined, {
      fields: { BucketName: bucketName },
    });
  }
  Object.assign(visit, { bucket, config, key });
  const site = websiteRequestOf(ctx.request);
  if (config.redirectAll)
    return sendRedirect(ctx, redirectAllTarget(config.redirectAll, key, site));
  const rule = matchRoutingRule(config.routingRules, key);
  if (rule) return sendRedirect(ctx, ruleRedirect(rule, key, site));
  await serveKey(visit, bucket, config.indexSuffix ?? 'index.html', key);
}

/** Serves `key` (or its index document), an object redirect, or a 'dir' → 'dir/' redirect. */
async function serveKey(visit: Visit, bucket: BucketRecord, suffix: string, key: string) {
  const { ctx } = visit;
  const objectKey = indexedKey(key, suffix);
  let manifest;
  try {
    manifest = await authorizedObject(ctx, bucket, objectKey, 's3:GetObject');
  } catch (error) {
    // AWS sends a browser asking for 'dir' to 'dir/' when 'dir/<index>' is there to serve.
    const missing = error instanceof S3Error && (error.status === 404 || error.status === 403);
    if (missing && objectKey === key && (await readable(ctx, bucket, `${key}/${suffix}`))) {
      return sendRedirect(ctx, { status: 302, location: `/${encodeKeyPath(key)}/` });
    }
    throw error;
  }
  const redirect = manifest.headers.websiteRedirectLocation;
  if (redirect !== undefined) return sendRedirect(ctx, { status: 301, location: redirect });
  await sendObject(ctx, manifest, visit.withBody);
}

async function readable(ctx: S3Context, bucket: BucketRecord, key: string): Promise<boolean> {
  try {
    await authorizedObject(ctx, bucket, key, 's3:GetObject');
    return true;
  } catch (error) {
    if (error instanceof S3Error) return false;
    throw error;
  }
}

function sendRedirect(ctx: S3Context, answer: WebsiteRedirectAnswer): void {
  drainAbandonedBody(ctx.request.raw);
  void ctx.reply.code(answer.status).header('location', answer.location).send();
}

/**
 * Answers an error: a routing rule on its status first, then the bucket's error document
 * (4XX only, with the error's own status), else the HTML page.
 */
async function answerError(visit: Visit, thrown: unknown): Promise<void> {
  const { ctx } = visit;
  const { request, reply } = ctx;
  const error = toS3Error(thrown);
  if (error.code === 'InternalError') request.log.error({ err: thrown }, 'website request failed');
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  drainAbandonedBody(request.raw);
  if (error.status === 304) return void reply.code(304).headers(error.headers).send();
  const { config, bucket, key } = visit;
  const rule =
    key === undefined ? undefined : matchRoutingRule(config?.routingRules, key, error.status);
  if (rule && key !== undefined) {
    return sendRedirect(ctx, ruleRedirect(rule, key, websiteRequestOf(request)));
  }
  let documentError: S3Error | undefined;
  if (bucket && config?.errorKey !== undefined && error.status >= 400 && error.status < 500) {
    try {
      return await sendErrorDocument(visit, bucket, config.errorKey, error);
    } catch (failure) {
      if (reply.sent || reply.raw.headersSent) return void reply.raw.destroy();
      documentError = toS3Error(failure);
    }
  }
  void reply.code(error.status).headers({ ...error.headers, ...errorHeaders(error) });
  void reply.header('content-type', 'text/html; charset=utf-8');
  const page = renderErrorPage(error, request.id, documentError);
  void reply.send(visit.withBody ? page : undefined);
}

/** The bucket's error document, with the status of the error it stands for. */
async function sendErrorDocument(visit: Visit, bucket: BucketRecord, key: string, error: S3Error) {
  const { ctx } = visit;
  const manifest = await authorizedObject(ctx, bucket, key, 's3:GetObject');
  const sealed = keyForRead(ctx, manifest);
  void ctx.reply.code(error.status).headers({
    ...errorHeaders(error),
    'content-type': manifest.headers.contentType,
    'content-length': String(manifest.size),
    'last-modified': new Date(manifest.lastModifiedMs).toUTCString(),
    etag: `"${manifest.etag}"`,
  });
  if (!visit.withBody || manifest.size === 0) return void ctx.reply.send();
  void ctx.reply.send(ctx.deps.objects.read(manifest, 0, manifest.size - 1, sealed.key));
}
