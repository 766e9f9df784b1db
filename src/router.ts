/**
 * The one top-level router of a front end: the shared HTTP server (src/http/server.ts) with
 * every API a Riak CS user reaches on the S3 port composed onto it — GET /metrics, the
 * Riak CS admin API (users, GC, usage, storage, operators' endpoints) and S3 itself, whose
 * catch-all route takes every path the others do not. The APIs do not know each other;
 * only this file imports them all. It never listens (front-end.ts does).
 */
import type { FastifyInstance } from 'fastify';
import { registerAdminApi } from './admin/register.js';
import { registerConsole, type ConsoleOptions } from './console/register.js';
import type { S3Deps } from './http/context.js';
import { createHttpServer, type HttpServerOptions } from './http/server.js';
import { registerS3Api, requestContext, s3Handler, hostNamesBucket } from './s3/app.js';

/** Builds the front end's application: the server and every API on it, in this order. */
export function buildApp(
  deps: S3Deps,
  options: HttpServerOptions = {},
  console?: ConsoleOptions,
): FastifyInstance {
  const app = createHttpServer(options);
  // The metrics hooks see every request, the admin API's included; GET /metrics is theirs.
  deps.observer?.install(app);
  // Admin requests are signed like S3's and identified the same way, with no virtual host.
  registerAdminApi(app, (request, reply) => requestContext(deps, request, reply, undefined));
  // The console's /console/ routes: unsigned requests only; S3's signed ones pass to S3.
  if (console) {
    const hostNamesBucketOf = (host: string | undefined) => hostNamesBucket(deps, host);
    registerConsole(
      app,
      deps,
      { handle: s3Handler(deps), hostNamesBucket: hostNamesBucketOf },
      console,
    );
  }
  registerS3Api(app, deps);
  return app;
}
