/**
 * The lifecycle admin API, behind `cairn-admin lifecycle`. Admin only.
 * - GET /riak-cs/lifecycle: every worker's progress (the pass under way, its cursor and
 *   counts; the last finished pass) and when a pass was last asked for.
 * - POST /riak-cs/lifecycle: asks every worker of the cluster for a pass now; answers at once.
 */
import { LifecycleProgressStore } from '../objects/lifecycle/progress.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';

function adminOnly(ctx: RequestContext): void {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
}

function send(ctx: RequestContext, body: unknown): void {
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}

/** GET /riak-cs/lifecycle */
export async function lifecycleStatusRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const store = new LifecycleProgressStore(ctx.deps.ring);
  send(ctx, {
    workers: await store.all(),
    runRequestedMs: await store.runRequestedMs(),
    ...(ctx.deps.lifecycle ? { dayMs: ctx.deps.lifecycle.dayMs } : {}),
  });
}

/** POST /riak-cs/lifecycle */
export async function lifecycleRunRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const runRequestedMs = ctx.deps.clock();
  await new LifecycleProgressStore(ctx.deps.ring).requestRun(runRequestedMs);
  send(ctx, { runRequestedMs });
}
