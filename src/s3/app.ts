/**
 * The S3 API: registerS3Api(app, deps) adds the one catch-all route that parses every
 * request into an S3 operation and dispatches it to its handler. The server it is mounted
 * on (src/http/server.ts) and the other APIs beside it (src/router.ts) are not its concern:
 * nothing here imports src/admin/ or src/usage/.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext, S3Context, S3Deps } from '../http/context.js';
import { installExpectHandling } from '../http/expect-continue.js';
import { installOriginForm } from '../http/proxy-target.js';
import { deleteBucket, createBucket, getBucketLocation, headBucket } from './handlers/bucket.js';
import { deleteObjects } from './handlers/delete-objects.js';
import { listObjects } from './handlers/list.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
} from './handlers/multipart.js';
import { listMultipartUploads, listParts } from './handlers/multipart-list.js';
import { deleteObject, getObject, putObject } from './handlers/object.js';
import { listBuckets } from './handlers/service.js';
import { addCorsHeaders, corsPreflight } from './handlers/cors.js';
import { postObject } from './handlers/post-object.js';
import { dispatchSubresource, type UnsignedOperation } from './handlers/subresources.js';
import { identify } from './identify.js';
import { decodePath, parseOperation, type S3Operation } from './operation.js';
import { REFUSED_AFTER_ACCESS, refuseUnsupportedRequest } from './unsupported-headers.js';
import { websiteBucketOf } from './website/routing.js';
import { serveWebsite } from './website/serve.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'] as const;

/**
 * Adds the S3 API to `app`: the catch-all route (every path not taken by a more specific
 * route, such as the admin API's) and the server hooks S3 clients need (100-continue,
 * absolute-form request targets).
 */
export function registerS3Api(app: FastifyInstance, deps: S3Deps): void {
  installExpectHandling(app.server);
  installOriginForm(app.server);
  app.route({ method: [...METHODS], url: '/*', handler: s3Handler(deps) });
}

/**
 * The catch-all's handler: every S3 request, parsed and dispatched. The console's routes
 * hand it the requests an S3 client signed (src/router.ts passes it on).
 */
export function s3Handler(deps: S3Deps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const site = websiteBucketOf(request.headers.host, deps.config.websiteHostBase);
    if (site !== undefined) {
      await serveWebsite(deps, request, reply, site);
      return reply;
    }
    const { path, query } = splitUrl(request.raw.url ?? '/');
    const bucketFromHost = virtualHostBucket(request.headers.host, deps.config.rootHost);
    const op = parseOperation({ method: request.method, path, query, bucketFromHost });
    deps.observer?.noteOperation(request, op.name);
    if (op.name === 'CorsPreflight') {
      await corsPreflight(deps, request, reply, op);
      return reply;
    }
    if ('bucket' in op) await addCorsHeaders(deps, request, reply, op.bucket);
    const ctx = await requestContext(deps, request, reply, bucketFromHost);
    // Object writes run the table themselves, after their access check (see putObject).
    if (!REFUSED_AFTER_ACCESS.has(op.name))
      refuseUnsupportedRequest(op.name, request.headers, query);
    if (op.name === 'PostObject') {
      await postObject(ctx, op.bucket);
      return reply;
    }
    // Anonymous requests go on: each handler's authorization decides what they may do.
    await dispatch(ctx, op);
    return reply;
  };
}

/**
 * The context of one request: its caller identified by S3's signatures (or anonymous), its
 * query, and the deps. The admin API uses it too (src/router.ts passes it in).
 */
export async function requestContext(
  deps: S3Deps,
  request: FastifyRequest,
  reply: RequestContext['reply'],
  bucketFromHost: string | undefined,
): Promise<RequestContext> {
  const identity = await identify(deps, request, bucketFromHost);
  deps.observer?.noteUser(request, identity.user);
  const { query } = splitUrl(request.raw.url ?? '/');
  return { deps, request, reply, query, payload: identity.payload, user: identity.user };
}

function dispatch(ctx: S3Context, op: Exclude<S3Operation, UnsignedOperation>): Promise<void> {
  switch (op.name) {
    case 'ListBuckets':
      return listBuckets(ctx);
    case 'CreateBucket':
      return createBucket(ctx, op.bucket);
    case 'HeadBucket':
      return headBucket(ctx, op.bucket);
    case 'DeleteBucket':
      return deleteBucket(ctx, op.bucket);
    case 'GetBucketLocation':
      return getBucketLocation(ctx, op.bucket);
    case 'ListObjects':
      return listObjects(ctx, op.bucket, false);
    case 'ListObjectsV2':
      return listObjects(ctx, op.bucket, true);
    case 'PutObject':
      return putObject(ctx, op.bucket, op.key);
    case 'GetObject':
      return getObject(ctx, op.bucket, op.key, true);
    case 'HeadObject':
      return getObject(ctx, op.bucket, op.key, false);
    case 'DeleteObject':
      return deleteObject(ctx, op.bucket, op.key);
    case 'DeleteObjects':
      return deleteObjects(ctx, op.bucket);
    case 'ListMultipartUploads':
      return listMultipartUploads(ctx, op.bucket);
    case 'CreateMultipartUpload':
      return createMultipartUpload(ctx, op.bucket, op.key);
    case 'UploadPart':
      return uploadPart(ctx, op.bucket, op.key);
    case 'CompleteMultipartUpload':
      return completeMultipartUpload(ctx, op.bucket, op.key);
    case 'AbortMultipartUpload':
      return abortMultipartUpload(ctx, op.bucket, op.key);
    case 'ListParts':
      return listParts(ctx, op.bucket, op.key);
    default:
      return dispatchSubresource(ctx, op);
  }
}

/** The decoded path and the query of a raw request URL. */
function splitUrl(rawUrl: string): { path: string; query: URLSearchParams } {
  const at = rawUrl.indexOf('?');
  const rawPath = at < 0 ? rawUrl : rawUrl.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : rawUrl.slice(at + 1));
  return { path: decodePath(rawPath), query };
}

/**
 * Whether the Host names a bucket (virtual-hosted style, or a website endpoint): then every
 * path on it, /console/ included, is that bucket's.
 */
export function hostNamesBucket(deps: S3Deps, hostHeader: string | undefined): boolean {
  return (
    virtualHostBucket(hostHeader, deps.config.rootHost) !== undefined ||
    websiteBucketOf(hostHeader, deps.config.websiteHostBase) !== undefined
  );
}

/** The bucket named by a Host of the form <bucket>.<base>[:port], if any. */
function virtualHostBucket(hostHeader: string | undefined, base: string | undefined) {
  if (!base) return undefined;
  const host = String(hostHeader ?? '')
    .replace(/:\d+$/, '')
    .toLowerCase();
  const suffix = `.${base.toLowerCase()}`;
  return host.endsWith(suffix) ? host.slice(0, -suffix.length) : undefined;
}
