/**
 * The operators' usage endpoints, behind `cairn-admin storage batch|status|pause|resume|
 * cancel` and `cairn-admin access flush` (Riak CS's riak-cs-admin storage and access).
 * Admin only; they act on the front end addressed, as Riak CS's commands acted on the node
 * they ran on.
 * - GET /riak-cs/storage-batch: the batch's state and the sampling schedule.
 * - POST /riak-cs/storage-batch/start|pause|resume|cancel.
 * - POST /riak-cs/access/flush: archives this front end's access statistics (and flushes
 *   its storage counters) now, answering once they are on the ring.
 */
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import type { StorageBatch } from '../usage/storage-batch.js';
import { usageOf } from './usage-routes.js';

function send(ctx: RequestContext, body: unknown): void {
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}

function batchOf(ctx: RequestContext): StorageBatch {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const batch = usageOf(ctx).batch;
  if (!batch) throw S3Error.notImplemented('Storage batches on this front end');
  return batch;
}

/** GET /riak-cs/storage-batch */
export async function storageBatchStatusRoute(ctx: RequestContext): Promise<void> {
  const batch = batchOf(ctx);
  send(ctx, { ...batch.state, schedule: usageOf(ctx).storageSchedule });
}

/** POST /riak-cs/storage-batch/start */
export async function storageBatchStartRoute(ctx: RequestContext): Promise<void> {
  send(ctx, { result: batchOf(ctx).start() });
}

/** POST /riak-cs/storage-batch/pause */
export async function storageBatchPauseRoute(ctx: RequestContext): Promise<void> {
  send(ctx, { result: batchOf(ctx).pause() ? 'paused' : 'idle' });
}

/** POST /riak-cs/storage-batch/resume */
export async function storageBatchResumeRoute(ctx: RequestContext): Promise<void> {
  send(ctx, { result: batchOf(ctx).resume() ? 'resumed' : 'idle' });
}

/** POST /riak-cs/storage-batch/cancel */
export async function storageBatchCancelRoute(ctx: RequestContext): Promise<void> {
  send(ctx, { result: batchOf(ctx).cancel() ? 'canceled' : 'idle' });
}

/** POST /riak-cs/access/flush */
export async function accessFlushRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const usage = usageOf(ctx);
  await usage.counters.flush();
  const archived = await usage.access.archive();
  send(ctx, { archived });
}
