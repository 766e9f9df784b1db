/**
 * The HTTP server every API of a front end shares: fastify's timeouts, the one error handler
 * (every error becomes S3's XML error body), request ids and the hooks that keep bodies
 * unparsed. It mounts no route: src/router.ts adds the S3 API, the admin API and metrics.
 * It never listens, so tests can inject into it. Bodies are never parsed by fastify: every
 * handler streams request.raw itself, so memory stays flat whatever the size.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { requestIdGenerator } from './request-id.js';
import { loggerOptions } from '../../ring/logging.js';
import { drainAbandonedBody } from './body.js';
import { clientErrorHandler } from './client-error.js';
import { toS3Error } from './error-mapping.js';
import { S3Error } from './errors.js';
import { renderErrorXml } from './xml.js';

/** Options of the HTTP layer. */
export interface HttpServerOptions {
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

/** A fastify instance with the shared options, hooks and error handler, and no route. */
export function createHttpServer(options: HttpServerOptions = {}): FastifyInstance {
  const app = Fastify({
    ...connectionOptions(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS_DEFAULT, options.tls),
    logger: loggerOptions(options.logLevel ?? 'warn'),
    genReqId: requestIdGenerator(),
    routerOptions: { maxParamLength: 8192 },
    exposeHeadRoutes: false,
    // A request that reaches a draining front end on a kept socket (sent as its previous
    // response ended) is answered, with Connection: close (src/http/drain.ts), not refused.
    return503OnClosing: false,
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
  return app;
}

/**
 * The one error handler: every S3Error (and anything else, as InternalError or 503) becomes
 * S3's XML error body with its status; a failure after the headers went out cuts the
 * connection, the only honest signal left.
 */
function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const s3 = toS3Error(error);
  if (s3.logged) {
    // Logged where it arose, once per cause (missing-master-key.ts).
  } else if (s3.code === 'InternalError') request.log.error({ err: error }, 'request failed');
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
function connectionOptions(headersTimeoutMs: number, tls: HttpServerOptions['tls']) {
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
