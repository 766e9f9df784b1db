/**
 * The GC admin API: GET /riak-cs/gc shows the backlog (entries due and pending in the
 * durable queue) and this process's last passes; POST /riak-cs/gc runs a pass now — every
 * due entry of every shard, then (unless ?sweep=false) an orphan sweep of every partition —
 * and answers what it did. Admin only.
 */
import type { RequestContext } from '../s3/context.js';
import { S3Error } from '../s3/errors.js';

/** GET /riak-cs/gc */
export async function gcStatusRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const { queue, worker } = ctx.deps.gc;
  const status = await queue.status(ctx.deps.clock());
  const body = { ...status, leewaySeconds: queue.leewayMs / 1000, ...(worker?.report ?? {}) };
  void ctx.reply.code(200).header('content-type', 'application/json').send(body);
}

/** POST /riak-cs/gc[?sweep=false] */
export async function gcRunRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const sweep = ctx.query.get('sweep');
  if (sweep !== null && sweep !== 'true' && sweep !== 'false') {
    throw new S3Error('InvalidArgument', 'sweep must be true or false.');
  }
  const { queue, sweeper } = ctx.deps.gc;
  let collected = 0;
  for (;;) {
    const batch = await queue.collectDue(ctx.deps.clock());
    collected += batch;
    if (batch < 1000) break;
  }
  const swept = sweep === 'false' ? undefined : await sweeper.run();
  const body = { collected, ...(swept ? { sweep: swept } : {}) };
  void ctx.reply.code(200).header('content-type', 'application/json').send(body);
}
