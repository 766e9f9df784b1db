/**
 * Watches every request of the S3 app (fastify hooks, no work inside handlers): latency,
 * status and bytes by operation go to the metrics, and the caller's requests to its access
 * log. It also serves GET /metrics.
 *
 * Why /metrics is not SigV4-signed: Prometheus scrapes with a bearer token or nothing. So a
 * GET /metrics without S3 credentials is a scrape: with a metrics token configured it must
 * carry `Authorization: Bearer <token>`; without one it is answered only to loopback
 * clients (put a proxy or the token in front of anything else). A signed GET /metrics is
 * S3's ListObjects on a bucket named "metrics", as before.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRecord } from '../../stanchion/core/records.js';
import type { AccessLog } from '../usage/access-log.js';
import type { S3Metrics } from './s3-metrics.js';

/** What the observer knows of one request. */
interface RequestNote {
  startNs: bigint;
  operation?: string;
  userId?: string;
}

/** Settings of GET /metrics. */
export interface MetricsAccess {
  /** Bearer token a scrape must carry; undefined: loopback clients only. */
  token?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Admin routes by fastify route and method, named like S3 operations. */
const ADMIN_OPERATIONS: Record<string, string> = {
  'POST /riak-cs/user': 'UserCreate',
  'GET /riak-cs/user/:keyId': 'UserRead',
  'PUT /riak-cs/user/:keyId': 'UserUpdate',
  'GET /riak-cs/users': 'UserList',
  'GET /riak-cs/usage/*': 'UsageRead',
  'GET /riak-cs/storage': 'StorageRead',
  'GET /riak-cs/storage/:keyId': 'StorageRead',
};

/** Hooks that feed the metrics and the access log. */
export class RequestObserver {
  private readonly notes = new WeakMap<FastifyRequest, RequestNote>();

  constructor(
    private readonly metrics: S3Metrics,
    private readonly access: AccessLog | undefined,
    private readonly metricsAccess: MetricsAccess,
  ) {}

  /** Names the request's S3 operation (once parsed). */
  noteOperation(request: FastifyRequest, operation: string): void {
    const note = this.notes.get(request);
    if (note) note.operation = operation;
  }

  /** Names the request's authenticated user, whose access log it counts in. */
  noteUser(request: FastifyRequest, user: UserRecord | undefined): void {
    const note = this.notes.get(request);
    if (note && user) note.userId = user.id;
  }

  /** Adds the hooks to `app`. */
  install(app: FastifyInstance): void {
    // Callback-style hooks: an async hook costs a promise on every request.
    app.addHook('onRequest', (request, reply, done) => {
      this.notes.set(request, { startNs: process.hrtime.bigint() });
      // A scrape is answered here; the route is never reached, so done() is not called.
      if (isScrape(request)) void this.serveMetrics(request, reply);
      else done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      this.finish(request, reply);
      done();
    });
  }

  private async serveMetrics(request: FastifyRequest, reply: FastifyReply) {
    this.noteOperation(request, 'Metrics');
    const refusal = this.refusal(request);
    if (refusal) return reply.code(403).header('content-type', 'text/plain').send(refusal);
    const text = await this.metrics.render();
    return reply.code(200).header('content-type', this.metrics.contentType).send(text);
  }

  private refusal(request: FastifyRequest): string | undefined {
    const token = this.metricsAccess.token;
    if (token === undefined) {
      const remote = request.raw.socket.remoteAddress ?? '';
      return LOOPBACK.has(remote) ? undefined : 'metrics are served to loopback clients only\n';
    }
    const given = Buffer.from(String(request.headers.authorization ?? ''));
    const wanted = Buffer.from(`Bearer ${token}`);
    const ok = given.length === wanted.length && timingSafeEqual(given, wanted);
    return ok ? undefined : 'metrics need Authorization: Bearer <metrics token>\n';
  }

  private finish(request: FastifyRequest, reply: FastifyReply): void {
    const note = this.notes.get(request);
    if (!note) return;
    const operation = note.operation ?? adminOperation(request) ?? 'Unknown';
    const status = reply.statusCode;
    const bytesIn = declaredLength(
      request.headers['x-amz-decoded-content-length'] ?? request.headers['content-length'],
    );
    const bytesOut =
      request.method === 'HEAD' ? 0 : declaredLength(reply.getHeader('content-length'));
    const durationS = Number(process.hrtime.bigint() - note.startNs) / 1e9;
    this.metrics.observeRequest({ operation, status, durationS, bytesIn, bytesOut });
    if (note.userId && this.access) {
      const complete = reply.raw.writableFinished;
      this.access.record(note.userId, operation, { status, bytesIn, bytesOut, complete });
    }
  }
}

/** Whether a request is a Prometheus scrape rather than an S3 request. */
function isScrape(request: FastifyRequest): boolean {
  if (request.method !== 'GET' || request.url !== '/metrics') return false;
  const authorization = request.headers.authorization;
  return authorization === undefined || authorization.startsWith('Bearer ');
}

function adminOperation(request: FastifyRequest): string | undefined {
  return ADMIN_OPERATIONS[`${request.method} ${request.routeOptions.url ?? ''}`];
}

function declaredLength(value: unknown): number {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
