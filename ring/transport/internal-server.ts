/**
 * The fastify app of an internal listener (a storage node, a stanchion): HTTPS with a
 * required client certificate when internal TLS is set, and every route but the open ones
 * (`/ping`, a node's `/metrics`) served only to requests signed with the cluster's key, not
 * yet seen, and made within the skew window. A request without a valid header is refused
 * before its body is read; the body's digest is checked once it is, before it is parsed.
 */
import { loggerOptions } from '../logging.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import type { IncomingMessage } from 'node:http';
import {
  bodyDigest,
  checkSkew,
  INTERNAL_AUTH_HEADER,
  internalKey,
  parseInternalAuth,
  ReplayGuard,
  verifyInternal,
  type InternalAuthRefusal,
} from '../core/internal-auth.js';
import { checkCookie, internalServerFactory, type InternalSecurity } from './internal-security.js';
import {
  checkPeerProtocol,
  formatProtocolVersion,
  localProtocolVersion,
  PROTOCOL_HEADER,
  PROTOCOL_REFUSED_STATUS,
  type ProtocolVersion,
} from './protocol-version.js';

/** How an internal app is built. */
export interface InternalAppOptions {
  /** Paths (exactly, query included) served without a signature. */
  openPaths: readonly string[];
  /** Largest body accepted, in bytes. */
  bodyBytesMax: number;
  logLevel: string;
  /** Signatures remembered against replay (see ReplayGuard). */
  replayEntriesMax?: number;
  clock?: () => number;
  /** The internal protocol version served (default: this process's). */
  protocol?: ProtocolVersion;
}

/** Refusals are logged at most this often per reason, so a flood cannot fill the log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/** Builds an internal listener's fastify app (it does not listen). */
export function buildInternalApp(
  security: InternalSecurity,
  options: InternalAppOptions,
): FastifyInstance {
  checkCookie(security.cookie);
  const app = Fastify({
    // One logging setup for every process: no credential in any line (ring/logging.ts).
    logger: loggerOptions(options.logLevel),
    bodyLimit: options.bodyBytesMax,
    serverFactory: internalServerFactory(security),
  });
  const verifier = requestVerifier(security.cookie, options);
  const verified = new WeakSet<IncomingMessage>();
  const refusals = new WeakMap<IncomingMessage, InternalAuthRefusal>();
  const logRefusal = refusalLogger(app);
  const refuse = (request: FastifyRequest, reply: FastifyReply, refusal: InternalAuthRefusal) => {
    logRefusal(request, refusal);
    return reply.code(401).send({ error: `internal request refused: ${refusal.detail}` });
  };
  const protocol = options.protocol ?? localProtocolVersion();
  app.addHook('onRequest', async (request, reply) => {
    // Every answer names our version; a caller of another major is refused before anything,
    // but for the open paths: liveness probes (a health check, cairn-admin's) carry none.
    reply.header(PROTOCOL_HEADER, formatProtocolVersion(protocol));
    if (options.openPaths.includes(request.url)) return;
    const peer = checkPeerProtocol(protocol, request.headers[PROTOCOL_HEADER], 'the caller');
    if (!peer.ok) return reply.code(PROTOCOL_REFUSED_STATUS).send({ error: peer.error });
    const early = verifier.early(request);
    if (early) return refuse(request, reply, early);
  });
  const bodyParser = (json: boolean) => (request: FastifyRequest, body: Buffer, done: Done) => {
    const refusal = verifier.full(request, body);
    // Answered by the preValidation hook, the one place that replies 401.
    if (refusal) return done(null, void refusals.set(request.raw, refusal));
    verified.add(request.raw);
    if (!json) return done(null, body);
    try {
      done(null, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')));
    } catch {
      done(Object.assign(new Error('the body is not JSON'), { statusCode: 400 }));
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, bodyParser(true));
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, bodyParser(false));
  app.addHook('preValidation', async (request, reply) => {
    if (options.openPaths.includes(request.url) || verified.has(request.raw)) return;
    const refusal = refusals.get(request.raw) ?? verifier.full(request, undefined);
    if (refusal) return refuse(request, reply, refusal);
  });
  return app;
}

type Done = (error: Error | null, body?: unknown) => void;

/** A header's value when sent once; undefined when absent or repeated. */
function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function requestVerifier(cookie: string, options: InternalAppOptions) {
  const key = internalKey(cookie);
  const clock = options.clock ?? Date.now;
  const replay = new ReplayGuard(options.replayEntriesMax ?? 200_000);
  const headerOf = (request: FastifyRequest) => {
    const value = request.headers[INTERNAL_AUTH_HEADER];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    /** Form and time only: cheap, before the body is read. */
    early(request: FastifyRequest): InternalAuthRefusal | undefined {
      const parsed = parseInternalAuth(headerOf(request));
      return 'reason' in parsed ? parsed : checkSkew(parsed.timeMs, clock());
    },
    full(request: FastifyRequest, body: Buffer | undefined): InternalAuthRefusal | undefined {
      const contentType = request.headers['content-type'] ?? '';
      const signed = {
        method: request.method,
        path: request.url,
        contentType,
        bodyDigest: bodyDigest(body),
        protocol: headerText(request.headers[PROTOCOL_HEADER]),
      };
      return verifyInternal(key, headerOf(request), signed, clock(), replay);
    },
  };
}

/** Logs a refusal with its reason, no more than once per reason per interval. */
function refusalLogger(app: FastifyInstance) {
  const loggedAtMs = new Map<string, number>();
  return (request: FastifyRequest, refusal: InternalAuthRefusal) => {
    const now = Date.now();
    if (now - (loggedAtMs.get(refusal.reason) ?? -Infinity) < REFUSAL_LOG_INTERVAL_MS) return;
    loggedAtMs.set(refusal.reason, now);
    app.log.warn(
      { from: request.ip, url: request.url.slice(0, 200), reason: refusal.reason },
      `internal request refused: ${refusal.detail}`,
    );
  };
}
