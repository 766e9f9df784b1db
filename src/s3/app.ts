/**
 * buildS3App(deps) → a fastify instance that speaks S3 and the Riak CS admin API. It never
 * listens (main.ts does), so tests can inject into it. Bodies are never parsed by fastify:
 * every handler streams request.raw itself, so memory stays flat whatever the size.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { loggerOptions } from '../../ring/logging.js';
import { gcRunRoute, gcStatusRoute } from '../admin/gc.js';
import { createUserRoute, getUserRoute, listUsersRoute, updateUserRoute } from '../admin/users.js';
import { ADMIN_ROUTES, type AdminRoute } from '../admin/routes.js';
import type { RequestContext, S3Context, S3Deps } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { drainAbandonedBody } from '../http/body.js';
import { clientErrorHandler } from '../http/client-error.js';
import { toS3Error } from '../http/error-mapping.js';
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
import { installExpectHandling } from '../http/expect-continue.js';
import { installOriginForm } from '../http/proxy-target.js';
import { identify } from './identify.js';
import { decodePath, parseOperation, type S3Operation } from './operation.js';
import { REFUSED_AFTER_ACCESS, refuseUnsupportedRequest } from './unsupported-headers.js';
import { renderErrorXml } from '../http/xml.js';
import { storageRoute } from '../admin/storage-route.js';
import { usageRoute } from '../admin/usage-routes.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'] as const;

/** Options of the HTTP layer. */
export interface S3AppOptions {
  logLevel?: string;
  /**
   * How long a client may take to send a request's line and headers, in ms; past it the
   * socket is closed with 408. It bounds slow-header (slowloris) clients; a body in
   * progress is never timed (requestTimeout is 0), so long uploads are never cut off.
   */
  headersTimeoutMs?: number;
  /** PEM certificate and key: the listener speaks HTTPS only (src/tls-files.ts checks them). */
  tls?: { cert: Buffer; key: Buffer };
}

/** Node's own default, and S3's order of magnitude for a stalled request. */
export const HEADERS_TIMEOUT_MS_DEFAULT = 60_000;

/** Builds the S3 application. */
export function buildS3App(deps: S3Deps, options: S3AppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...connectionOptions(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS_DEFAULT, options.tls),
    logger: loggerOptions(options.logLevel ?? 'warn'),
    genReqId: () => randomBytes(8).toString('hex').toUpperCase(),
    routerOptions: { maxParamLength: 8192 },
    exposeHeadRoutes: false,
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      const s3 = new S3Error('InvalidRequest', error.message, { cause: error });
      const raw = reply as unknown as FastifyReply;
      void raw
        .code(s3.status)
        .header('content-type', 'application/xml')
        .send(renderErrorXml(s3, request.url, request.id));
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  acceptAnyContentType(app);
  // Hooks on every request are callback-style: an async hook costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-amz-request-id', request.id).header('x-amz-id-2', request.id);
    void reply.header('server', 'Cairn');
    done();
  });
  app.setErrorHandler(renderError);
  deps.observer?.install(app);
  registerAdminRoutes(app, deps);
  installExpectHandling(app.server);
  installOriginForm(app.server);
  app.route({
    method: [...METHODS],
    url: '/*',
    handler: async (request, reply) => {
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
    },
  });
  return app;
}

/**
 * The one error handler: every S3Error (and anything else, as InternalError or 503) becomes
 * S3's XML error body with its status; a failure after the headers went out cuts the
 * connection, the only honest signal left.
 */
function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const s3 = toS3Error(error);
  if (s3.code === 'InternalError') request.log.error({ err: error }, 'request failed');
  else if (s3.code === 'ServiceUnavailable' || s3.code === 'InsufficientStorage') {
    request.log.warn({ err: error }, 'backend unavailable');
  }
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  void reply.code(s3.status).headers(s3.headers);
  drainAbandonedBody(request.raw);
  if (request.method === 'HEAD' || s3.status === 304) return reply.send();
  const resource = (request.raw.url ?? '/').split('?')[0] ?? '/';
  return reply
    .header('content-type', 'application/xml')
    .send(renderErrorXml(s3, resource, request.id));
}

const HIDDEN_CONTENT_TYPE = Symbol('hiddenContentType');
type RawWithHidden = FastifyRequest['raw'] & { [HIDDEN_CONTENT_TYPE]?: string };

/**
 * S3 stores any Content-Type ('binary', or empty), but fastify answers 415 to a body whose
 * Content-Type is not a valid media type, before any handler runs. Bodies are never parsed
 * here, so fastify sees a neutral type (always: its validity rules are its own) while it
 * picks a parser, and the handlers and the SigV2 signature (which covers Content-Type)
 * see what the client sent.
 */
function acceptAnyContentType(app: FastifyInstance): void {
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const raw = request.raw as RawWithHidden;
    const type = raw.headers['content-type'];
    if (type !== undefined) {
      raw[HIDDEN_CONTENT_TYPE] = type;
      raw.headers['content-type'] = 'application/octet-stream';
    }
    done(null, payload);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const raw = request.raw as RawWithHidden;
    if (raw[HIDDEN_CONTENT_TYPE] !== undefined) {
      raw.headers['content-type'] = raw[HIDDEN_CONTENT_TYPE];
    }
    done();
  });
}

/** Timeouts: what bounds a slow or idle client, and what must never cut an upload off. */
function connectionOptions(headersTimeoutMs: number, tls: S3AppOptions['tls']) {
  // Node checks header deadlines on a timer (30 s by default), which would stretch a short
  // headers timeout several-fold; check at least twice per timeout.
  const server = {
    headersTimeout: headersTimeoutMs,
    connectionsCheckingInterval: Math.min(Math.max(headersTimeoutMs / 2, 100), 30_000),
  };
  return {
    // https.createServer takes the same server options beside the certificate and key.
    ...(tls ? { https: { ...server, cert: tls.cert, key: tls.key } } : { http: server }),
    // Idle keep-alive sockets stay open past the 60 s that load balancers and clients assume.
    keepAliveTimeout: 65_000,
    // An idle socket (no bytes either way) is closed; a slow but moving upload is not.
    connectionTimeout: 120_000,
    // No deadline on a whole request: a multi-GiB upload may take as long as it takes.
    requestTimeout: 0,
  };
}

/** The Riak CS admin API beside S3 (a bucket named riak-cs is shadowed, as in Riak CS). */
function registerAdminRoutes(app: FastifyInstance, deps: S3Deps): void {
  const route = (
    method: AdminRoute[0][number] | AdminRoute[0],
    url: string,
    handler: (ctx: RequestContext, keyId: string) => Promise<void>,
  ) =>
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const ctx = await requestContext(deps, request, reply, undefined);
        await handler(ctx, (request.params as { keyId?: string }).keyId ?? '');
        return reply;
      },
    });
  route('POST', '/riak-cs/user', createUserRoute);
  route('GET', '/riak-cs/user/:keyId', getUserRoute);
  route('PUT', '/riak-cs/user/:keyId', updateUserRoute);
  route('GET', '/riak-cs/users', listUsersRoute);
  route('GET', '/riak-cs/gc', gcStatusRoute);
  route('POST', '/riak-cs/gc', gcRunRoute);
  route('GET', '/riak-cs/usage/*', usageRoute);
  route('GET', '/riak-cs/storage', storageRoute);
  route('GET', '/riak-cs/storage/:keyId', storageRoute);
  for (const [methods, url, handler] of ADMIN_ROUTES) route(methods, url, handler);
}

async function requestContext(
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

/** The bucket named by a Host of the form <bucket>.<base>[:port], if any. */
function virtualHostBucket(hostHeader: string | undefined, base: string | undefined) {
  if (!base) return undefined;
  const host = String(hostHeader ?? '')
    .replace(/:\d+$/, '')
    .toLowerCase();
  const suffix = `.${base.toLowerCase()}`;
  return host.endsWith(suffix) ? host.slice(0, -suffix.length) : undefined;
}
