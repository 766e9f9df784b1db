/**
 * The operator's console at /console/ on the S3 port: the page and its assets, and the JSON
 * API under /console/api/ the page calls. A request signed for S3 (a bucket named "console"
 * addressed path-style by an S3 client) still goes to S3: only unsigned requests are the
 * console's, and only on the service's own host: a Host naming a bucket (virtual-hosted or
 * a website endpoint) keeps /console/ for that bucket. `--no-console` leaves /console/ to S3.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { S3Deps } from '../http/context.js';
import { registerBucketsRoutes } from './buckets-routes.js';
import { registerClusterRoutes } from './cluster-routes.js';
import { SessionStore } from './core/sessions.js';
import { SignInLimiter } from './core/sign-in-limiter.js';
import { sendJson, type ConsoleContext, type NodeAdmin } from './context.js';
import { registerQuotaRoutes } from './quota-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { loadAssets, SECURITY_HEADERS, type Asset } from './static-assets.js';
import { registerUsageRoutes } from './usage-routes.js';
import { registerUsersRoutes } from './users-routes.js';

/** How the console is set up. */
export interface ConsoleOptions {
  /** Whether the S3 port speaks TLS. */
  secure: boolean;
  /** A storage node's admin interface, for membership changes (a cluster's front end). */
  nodeAdmin?: NodeAdmin;
  /** Idle time that ends a session, in ms (30 minutes by default). */
  idleMs?: number;
  /** Where the built assets are (dist/console/ by default). */
  assets?: Map<string, Asset>;
}

/** The S3 API as the console sees it (src/router.ts hands it over; the two stay apart). */
export interface S3Side {
  /** Handles a request S3's way (the S3 API's catch-all handler). */
  handle: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** Whether a Host names a bucket (virtual-hosted or a website endpoint). */
  hostNamesBucket: (host: string | undefined) => boolean;
}

const IDLE_MS_DEFAULT = 30 * 60_000;
const SESSIONS_MAX = 10_000;
/** 5 failed sign-ins a minute per address, 20 per key from all addresses together. */
const SIGN_IN_LIMITS = { windowMs: 60_000, perAddress: 5, perKey: 20, entriesMax: 10_000 };

/** Adds the console to `app`. */
export function registerConsole(
  app: FastifyInstance,
  deps: S3Deps,
  s3: S3Side,
  options: ConsoleOptions,
): void {
  const idleMs = options.idleMs ?? IDLE_MS_DEFAULT;
  const sessions = new SessionStore({
    clock: deps.clock,
    randomBytes: deps.randomBytes,
    idleMs,
    sessionsMax: SESSIONS_MAX,
  });
  const ctx: ConsoleContext = {
    app,
    deps,
    sessions,
    signIns: new SignInLimiter({ ...SIGN_IN_LIMITS, clock: deps.clock }),
    secure: options.secure,
    idleMs,
    ...(options.nodeAdmin ? { nodeAdmin: options.nodeAdmin } : {}),
  };
  void app.register(async (scoped) => {
    scoped.addHook('onRequest', async (request, reply) => {
      const forS3 = isS3Signed(request) || s3.hostNamesBucket(request.headers.host);
      if (!forS3) return void reply.headers(SECURITY_HEADERS);
      await s3.handle(request, reply);
      return reply;
    });
    registerSessionRoutes(scoped, ctx);
    registerUsersRoutes(scoped, ctx);
    registerBucketsRoutes(scoped, ctx);
    registerClusterRoutes(scoped, ctx);
    registerUsageRoutes(scoped, ctx);
    registerQuotaRoutes(scoped, ctx);
    registerPages(scoped, options.assets ?? loadAssets());
  });
}

/** Whether an S3 client signed this request (header or presigned, V2 or V4). */
function isS3Signed(request: FastifyRequest): boolean {
  if (request.headers.authorization !== undefined) return true;
  const query = (request.raw.url ?? '').split('?')[1] ?? '';
  return /(^|&)(X-Amz-Signature|Signature|X-Amz-Credential|AWSAccessKeyId)=/i.test(query);
}

function registerPages(app: FastifyInstance, assets: Map<string, Asset>): void {
  app.get('/console', (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console/', (_request, reply) => sendAsset(reply, assets, 'index.html'));
  app.get('/console/*', (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    if (name.startsWith('api/')) {
      return sendJson(reply, 404, { error: 'NotFound', message: 'No such console call.' });
    }
    return sendAsset(reply, assets, name);
  });
}

function sendAsset(reply: FastifyReply, assets: Map<string, Asset>, name: string) {
  const asset = assets.get(name);
  if (!asset) {
    const missing = assets.size === 0 ? 'The console is not built: run npm run build.' : '';
    return reply
      .code(404)
      .header('content-type', 'text/plain; charset=utf-8')
      .send(missing || 'Not found.');
  }
  return reply
    .code(200)
    .header('content-type', asset.contentType)
    .header('cache-control', asset.cacheControl)
    .send(asset.body);
}
