/**
 * GET /riak-cs/stats, as Riak CS served it to the admin: this front end's statistics as
 * JSON — here its Prometheus metrics (request counts and latencies by operation, bytes,
 * GC, usage), the same series GET /metrics exposes, so their names are Cairn's, not Riak
 * CS's. `cairn-admin status` prints them as riak-cs-admin status did: `name : value`.
 */
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';

/** GET /riak-cs/stats */
export async function statsRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const stats = ctx.deps.operator?.stats;
  if (!stats) throw S3Error.notImplemented('Statistics on this front end');
  void ctx.reply
    .code(200)
    .header('content-type', 'application/json')
    .send(JSON.stringify(await stats()));
}
