/**
 * The GC admin API, behind `cairn-admin gc` (Riak CS's riak-cs-admin gc). Admin only.
 * - GET /riak-cs/gc: the backlog, the settings in force (and the operator's overrides),
 *   this process's batch, and every collector's last pass.
 * - POST /riak-cs/gc[?sweep=false]: collects every due entry now (and sweeps), answering
 *   when done (`gc run`).
 * - POST /riak-cs/gc/batch[?leeway=&start=&end=], /cancel, /pause, /resume and PUT
 *   /riak-cs/gc/interval?seconds=, /leeway?seconds=: Riak CS's batch, cancel, pause,
 *   resume, set-interval and set-leeway. Overrides are kept on the ring, so every
 *   collector in the cluster follows them, across restarts, until resumed or reset.
 */
import { BucketCollectProgressStore } from '../objects/bucket-collector-progress.js';
import type { GcBatchOptions } from '../objects/gc-batch.js';
import type { GcControl } from '../objects/gc-control.js';
import type { RequestContext, S3Deps } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { parseIsoBasic } from '../usage/core/iso8601.js';

function adminOnly(ctx: RequestContext): void {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
}

function send(ctx: RequestContext, body: unknown): void {
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}

function controlOf(ctx: RequestContext): GcControl {
  const control = ctx.deps.gc.control;
  if (!control) throw S3Error.notImplemented('GC control on this front end');
  return control;
}

const seconds = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : 'infinity');

/** GET /riak-cs/gc */
export async function gcStatusRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  send(ctx, await gcStatusOf(ctx.deps));
}

/** What GET /riak-cs/gc answers (and cluster-info records). */
export async function gcStatusOf(deps: S3Deps): Promise<Record<string, unknown>> {
  const { queue, worker, control, batch } = deps.gc;
  const status = await queue.status(deps.clock());
  const overrides = control ? await control.refresh() : {};
  return {
    ...status,
    leewaySeconds: queue.leewayMs / 1000,
    intervalSeconds: seconds(control?.intervalMs ?? Infinity),
    paused: control?.paused ?? false,
    configured: control && {
      intervalSeconds: seconds(control.configured.intervalMs),
      leewaySeconds: control.configured.leewayMs / 1000,
    },
    overrides,
    batch: batch?.state,
    workers: control ? await control.reports() : [],
    deletedBuckets: await new BucketCollectProgressStore(deps.ring).all(),
    ...(worker?.report ?? {}),
  };
}

/** POST /riak-cs/gc[?sweep=false] */
export async function gcRunRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
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
  send(ctx, { collected, ...(swept ? { sweep: swept } : {}) });
}

/** POST /riak-cs/gc/batch[?leeway=SECONDS][&start=ISO][&end=ISO] */
export async function gcBatchRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const batch = ctx.deps.gc.batch;
  if (!batch) throw S3Error.notImplemented('GC batches on this front end');
  await controlOf(ctx).refresh();
  send(ctx, { result: batch.start(batchOptions(ctx.query)) });
}

function batchOptions(query: URLSearchParams): GcBatchOptions {
  const options: GcBatchOptions = {};
  const leeway = query.get('leeway');
  if (leeway !== null) options.leewaySeconds = secondsParam('leeway', leeway);
  for (const name of ['start', 'end'] as const) {
    const text = query.get(name);
    if (text === null) continue;
    const ms = parseIsoBasic(text);
    if (ms === undefined) {
      throw new S3Error('InvalidArgument', `${name} must be ISO 8601 basic (20150801T000000Z).`);
    }
    options[`${name}Ms`] = ms;
  }
  if (options.startMs !== undefined && options.endMs !== undefined) {
    if (options.startMs >= options.endMs) {
      throw new S3Error('InvalidArgument', 'start must be before end.');
    }
  }
  return options;
}

function secondsParam(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d{1,10}$/.test(text) || n > 10 * 365 * 86_400) {
    throw new S3Error('InvalidArgument', `${name} must be a whole number of seconds.`);
  }
  return n;
}

/** POST /riak-cs/gc/cancel */
export async function gcCancelRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  send(ctx, { result: ctx.deps.gc.batch?.cancel() ? 'canceled' : 'idle' });
}

/** POST /riak-cs/gc/pause: every collector stops; this process's batch is canceled. */
export async function gcPauseRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const before = await controlOf(ctx).refresh();
  await controlOf(ctx).update((o) => ({ ...o, paused: true }));
  const canceled = ctx.deps.gc.batch?.cancel() ?? false;
  send(ctx, { result: before.paused ? 'already-paused' : 'paused', canceled });
}

/** POST /riak-cs/gc/resume: as Riak CS, back to the configured interval too. */
export async function gcResumeRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const before = await controlOf(ctx).refresh();
  await controlOf(ctx).update(({ paused: _p, intervalSeconds: _i, ...rest }) => rest);
  const wasStopped = before.paused === true || before.intervalSeconds === 'infinity';
  send(ctx, { result: wasStopped ? 'resumed' : 'not-paused' });
}

/** PUT /riak-cs/gc/interval?seconds=N|infinity|default */
export async function gcIntervalRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const text = ctx.query.get('seconds') ?? '';
  const seconds = text === 'infinity' || text === 'default' ? text : secondsParam('seconds', text);
  if (seconds === 0) throw new S3Error('InvalidArgument', 'The interval must be at least 1 s.');
  const next = await controlOf(ctx).update(({ intervalSeconds: _i, ...rest }) =>
    seconds === 'default' ? rest : { ...rest, intervalSeconds: seconds },
  );
  send(ctx, { intervalSeconds: next.intervalSeconds ?? 'default' });
}

/** PUT /riak-cs/gc/leeway?seconds=N|default */
export async function gcLeewayRoute(ctx: RequestContext): Promise<void> {
  adminOnly(ctx);
  const text = ctx.query.get('seconds') ?? '';
  const seconds = text === 'default' ? text : secondsParam('seconds', text);
  const next = await controlOf(ctx).update(({ leewaySeconds: _l, ...rest }) =>
    seconds === 'default' ? rest : { ...rest, leewaySeconds: seconds },
  );
  send(ctx, { leewaySeconds: next.leewaySeconds ?? 'default' });
}
