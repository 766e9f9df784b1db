/**
 * 4 KiB objects: PUT then GET ops/s and p50/p99 latency at each concurrency, on every server
 * in turn. Rounds are interleaved across servers (cairn, peer, no-op, cairn, ...) so a noisy
 * moment on this shared machine does not land on one server only; each figure is the median
 * of its rounds. GETs read back keys the same server stored in the PUT rounds.
 */
import { median, ratePerS, summarizeLatencies } from '../core/stats.js';
import { runClosedLoop, type LoopResult, type Operation } from '../load/closed-loop.js';
import { bufferBody, randomChunk } from '../load/payload.js';
import { SignedClient, describeReply, isSuccess } from '../load/signed-client.js';
import type { BenchServer } from '../servers/bench-servers.js';
import { ensureBucket } from './bucket-setup.js';
import type { Cost, PhaseContext } from './context.js';

type Verb = 'put' | 'get';

/** Keys each server stored, for the GETs; bounded. */
const STORED_KEYS_MAX = 500_000;

interface ServerState {
  server: BenchServer;
  keys: string[];
}

/** Runs the 4 KiB phase on `servers` and records its figures. */
export async function runSmallObjects(ctx: PhaseContext, servers: BenchServer[]): Promise<void> {
  const body = bufferBody(randomChunk(ctx.plan.smallObjectBytes));
  const states: ServerState[] = servers.map((server) => ({ server, keys: [] }));
  for (const state of states) {
    await ensureBucket(state.server, ctx.bucket('small'));
    await warmUp(ctx, state, body);
  }
  for (const concurrency of ctx.plan.concurrencies) {
    for (const verb of ['put', 'get'] as const) {
      const costs = new Map<ServerState, Array<Cost<LoopResult>>>();
      for (let round = 1; round <= ctx.plan.rounds; round++) {
        for (const state of states) {
          const cost = await measurePoint(ctx, state, verb, concurrency, round, body);
          costs.set(state, [...(costs.get(state) ?? []), cost]);
        }
      }
      for (const [state, rounds] of costs) {
        recordPoint(ctx, state.server, verb, concurrency, rounds);
      }
    }
  }
}

async function warmUp(ctx: PhaseContext, state: ServerState, body: ReturnType<typeof bufferBody>) {
  const client = new SignedClient(state.server.target, { maxSockets: 16, timeoutMs: 30_000 });
  try {
    const spec = { concurrency: 16, durationMs: 10_000, opsMax: ctx.plan.warmupOps };
    await runClosedLoop(spec, putOperation(client, ctx.bucket('small'), 'warm', body, undefined));
  } finally {
    client.close();
  }
}

function putOperation(
  client: SignedClient,
  bucket: string,
  prefix: string,
  body: ReturnType<typeof bufferBody>,
  stored: string[] | undefined,
): Operation {
  return async (seq) => {
    const key = `${prefix}-${seq}`;
    const reply = await client.send({ method: 'PUT', path: `/${bucket}/${key}`, body });
    if (!isSuccess(reply)) return { ok: false, bytes: 0, failure: describeReply(reply) };
    if (stored && stored.length < STORED_KEYS_MAX) stored.push(key);
    return { ok: true, bytes: body.bytes };
  };
}

function getOperation(client: SignedClient, bucket: string, keys: string[], bytes: number) {
  const operation: Operation = async (seq) => {
    if (keys.length === 0) return { ok: false, bytes: 0, failure: 'no stored keys to GET' };
    const key = keys[seq % keys.length]!;
    const reply = await client.send({ method: 'GET', path: `/${bucket}/${key}` });
    if (!isSuccess(reply)) return { ok: false, bytes: 0, failure: describeReply(reply) };
    if (reply.bytes !== bytes) return { ok: false, bytes: 0, failure: `short body ${reply.bytes}` };
    return { ok: true, bytes: reply.bytes };
  };
  return operation;
}

async function measurePoint(
  ctx: PhaseContext,
  state: ServerState,
  verb: Verb,
  concurrency: number,
  round: number,
  body: ReturnType<typeof bufferBody>,
): Promise<Cost<LoopResult>> {
  const { server } = state;
  const bucket = ctx.bucket('small');
  const client = new SignedClient(server.target, {
    maxSockets: concurrency,
    timeoutMs: ctx.plan.requestTimeoutMs,
  });
  const operation =
    verb === 'put'
      ? putOperation(client, bucket, `obj-c${concurrency}-r${round}`, body, state.keys)
      : getOperation(client, bucket, state.keys, body.bytes);
  const nothingToGet = verb === 'get' && state.keys.length === 0;
  const opsMax = nothingToGet ? 1 : 10_000_000;
  const spec = { concurrency, durationMs: ctx.plan.pointDurationMs, opsMax };
  try {
    const cost = await ctx.withCost(server, () => runClosedLoop(spec, operation));
    logPoint(ctx, server, `${verb}-4KiB-c${concurrency}`, round, cost);
    return cost;
  } finally {
    client.close();
  }
}

function logPoint(
  ctx: PhaseContext,
  server: BenchServer,
  figure: string,
  round: number,
  cost: Cost<LoopResult>,
) {
  const loop = cost.value;
  const latency = summarizeLatencies(loop.latenciesMs);
  const opsPerS = ratePerS(loop.ok, loop.elapsedMs);
  const point = {
    figure,
    server: server.label,
    round,
    ops: loop.ok,
    errors: loop.errors,
    opsPerS: Math.round(opsPerS),
    p50Ms: Number(latency.p50Ms.toFixed(3)),
    p99Ms: Number(latency.p99Ms.toFixed(3)),
    serverCpuS: cost.serverCpuS ?? null,
    loadgenCpuS: Number(cost.loadgenCpuS.toFixed(3)),
    elapsedMs: Math.round(loop.elapsedMs),
  };
  ctx.points.push(point);
  if (loop.errors > 0) ctx.recordFailures(`${figure} ${server.label}`, loop.failures);
  const cores = (cpuS: number | undefined) =>
    cpuS === undefined ? '-' : (cpuS / (loop.elapsedMs / 1000)).toFixed(2);
  const serverCpu = cores(cost.serverCpuS);
  const loadgenCpu = cores(cost.loadgenCpuS);
  ctx.log(
    `${figure} ${server.label} r${round}: ${point.opsPerS} ops/s, p50 ${point.p50Ms} ms, ` +
      `p99 ${point.p99Ms} ms, errors ${loop.errors}, cpu server ${serverCpu} loadgen ${loadgenCpu}`,
  );
}

function recordPoint(
  ctx: PhaseContext,
  server: BenchServer,
  verb: Verb,
  concurrency: number,
  rounds: ReadonlyArray<Cost<LoopResult>>,
) {
  const name = `${verb}-4KiB-c${concurrency}`;
  const errors = rounds.reduce((sum, r) => sum + r.value.errors, 0);
  const summaries = rounds.map((r) => summarizeLatencies(r.value.latenciesMs));
  const opsPerS = median(rounds.map((r) => ratePerS(r.value.ok, r.value.elapsedMs)));
  const { book } = ctx;
  book.record({ name, unit: 'ops/s', better: 'higher' }, server.role, opsPerS, errors);
  const p50 = median(summaries.map((s) => s.p50Ms));
  const p99 = median(summaries.map((s) => s.p99Ms));
  book.record({ name: `${name}-p50`, unit: 'ms', better: 'lower' }, server.role, p50);
  book.record({ name: `${name}-p99`, unit: 'ms', better: 'lower' }, server.role, p99);
  if (concurrency !== 16) return;
  const perOpUs = (r: Cost<LoopResult>) =>
    r.serverCpuS === undefined ? Number.NaN : (r.serverCpuS / r.value.ok) * 1e6;
  const cpuPerOpUs = median(rounds.map(perOpUs));
  const cpuFigure = { name: `cpu-us-per-${verb}-4KiB`, unit: 'us', better: 'lower' } as const;
  if (Number.isFinite(cpuPerOpUs)) book.record(cpuFigure, server.role, cpuPerOpUs);
}
