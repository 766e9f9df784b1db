/**
 * How cost grows with the cluster (opt-in: `--cluster`). Real `scripts/dev-cluster.sh`
 * clusters on loopback, one at a time, each stopped and removed before the next starts:
 *
 * - PUT 4 KiB ops/s at concurrency 16 against 1, 3 and 5 nodes (same load generator and
 *   durations as the 4 KiB phase), and the ratio 5 nodes / 1 node; the CPU per PUT summed
 *   over every process of the cluster (`cpu-us-per-put-4KiB-nN`, from /proc);
 * - a 5th node joining a 4-node cluster that holds data: seconds from `cluster commit`
 *   until member-status shows nothing pending and no transfer is active, the bytes that
 *   landed on the new node, and those bytes over (data × n_val), whose ideal is 1/5.
 *
 * On this 2-core machine all nodes share the same two cores, so the node-count figures show
 * coordination overhead, not scale-out.
 */
import { performance } from 'node:perf_hooks';
import { movedFraction } from '../core/cluster-status.js';
import { median, ratePerS, summarizeLatencies } from '../core/stats.js';
import { runClosedLoop, type LoopResult, type Operation } from '../load/closed-loop.js';
import { bufferBody, randomChunk, repeatedBody, type BodySource } from '../load/payload.js';
import { SignedClient, describeReply, isSuccess } from '../load/signed-client.js';
import type { BenchServer } from '../servers/bench-servers.js';
import { DevCluster } from '../servers/dev-cluster.js';
import { readProcSnapshot } from '../servers/proc-stats.js';
import { ensureBucket } from './bucket-setup.js';
import type { PhaseContext } from './context.js';

/** Replicas per object (the cluster's default n_val). */
const N_VAL = 3;
const CONCURRENCY = 16;
const MB = 1e6;
const BUCKET_TRIES = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the cluster phase and records its figures. */
export async function runCluster(ctx: PhaseContext, region: string): Promise<void> {
  const opsPerS = new Map<number, number>();
  for (const nodes of ctx.plan.clusterNodeCounts) {
    opsPerS.set(nodes, await withCluster(ctx, nodes, region, (c) => measurePuts(ctx, c)));
  }
  const first = ctx.plan.clusterNodeCounts[0]!;
  const last = ctx.plan.clusterNodeCounts.at(-1)!;
  const scaling = (opsPerS.get(last) ?? Number.NaN) / (opsPerS.get(first) ?? Number.NaN);
  ctx.book.record(
    { name: `put-4KiB-c16-n${last}-per-n${first}`, unit: 'x', better: 'higher' },
    'cairn',
    scaling,
  );
  await withCluster(ctx, 5, region, (c) => measureJoin(ctx, c), false);
}

async function withCluster<T>(
  ctx: PhaseContext,
  nodes: number,
  region: string,
  body: (cluster: DevCluster) => Promise<T>,
  joinAll = true,
): Promise<T> {
  ctx.log(`cluster: starting ${nodes} node(s)`);
  const cluster = await DevCluster.start(nodes, region);
  try {
    ctx.log(`cluster: ${nodes} node(s) at base port ${cluster.basePort}, ${cluster.target.url}`);
    if (joinAll && nodes > 1) {
      await cluster.script(['join'], 90_000);
      await cluster.waitConverged(nodes, ctx.plan.clusterConvergeMaxMs);
    }
    return await body(cluster);
  } finally {
    await cluster.close();
    ctx.log(`cluster: ${nodes} node(s) stopped`);
  }
}

function serverOf(cluster: DevCluster): BenchServer {
  return {
    role: 'cairn',
    label: `cluster-n${cluster.nodes}`,
    target: cluster.target,
    stores: true,
  };
}

/** The bucket, retried while the new cluster settles (stanchion, ring polling). */
async function createBucket(ctx: PhaseContext, server: BenchServer, bucket: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureBucket(server, bucket);
      return;
    } catch (error) {
      if (attempt >= BUCKET_TRIES) throw error;
      ctx.log(`cluster: bucket not created yet (${(error as Error).message.slice(0, 120)})`);
      await sleep(1000);
    }
  }
}

function putOperation(client: SignedClient, bucket: string, prefix: string, body: BodySource) {
  const operation: Operation = async (seq) => {
    const reply = await client.send({ method: 'PUT', path: `/${bucket}/${prefix}-${seq}`, body });
    if (!isSuccess(reply)) return { ok: false, bytes: 0, failure: describeReply(reply) };
    return { ok: true, bytes: body.bytes };
  };
  return operation;
}

async function measurePuts(ctx: PhaseContext, cluster: DevCluster): Promise<number> {
  const server = serverOf(cluster);
  const bucket = ctx.bucket(`cluster-n${cluster.nodes}`);
  await createBucket(ctx, server, bucket);
  const body = bufferBody(randomChunk(ctx.plan.smallObjectBytes));
  const client = new SignedClient(server.target, {
    maxSockets: CONCURRENCY,
    timeoutMs: ctx.plan.requestTimeoutMs,
  });
  const name = `put-4KiB-c16-n${cluster.nodes}`;
  try {
    const warm = { concurrency: CONCURRENCY, durationMs: 10_000, opsMax: ctx.plan.warmupOps };
    await runClosedLoop(warm, putOperation(client, bucket, 'warm', body));
    const rounds: LoopResult[] = [];
    const cpuUs: number[] = [];
    for (let round = 1; round <= ctx.plan.rounds; round++) {
      const spec = { concurrency: CONCURRENCY, durationMs: ctx.plan.pointDurationMs, opsMax: 1e7 };
      const cpuBeforeS = await clusterCpuS(cluster);
      const loop = await runClosedLoop(spec, putOperation(client, bucket, `r${round}`, body));
      cpuUs.push((((await clusterCpuS(cluster)) - cpuBeforeS) * 1e6) / Math.max(1, loop.ok));
      const latency = summarizeLatencies(loop.latenciesMs);
      const opsPerS = ratePerS(loop.ok, loop.elapsedMs);
      ctx.points.push({
        figure: name,
        server: server.label,
        round,
        ops: loop.ok,
        errors: loop.errors,
        opsPerS: Math.round(opsPerS),
        p50Ms: Number(latency.p50Ms.toFixed(3)),
        p99Ms: Number(latency.p99Ms.toFixed(3)),
        elapsedMs: Math.round(loop.elapsedMs),
      });
      if (loop.errors > 0) ctx.recordFailures(`${name} ${server.label}`, loop.failures);
      ctx.log(
        `${name} r${round}: ${Math.round(opsPerS)} ops/s, p50 ${latency.p50Ms.toFixed(2)} ms, ` +
          `p99 ${latency.p99Ms.toFixed(2)} ms, errors ${loop.errors}, ` +
          `cpu ${Math.round(cpuUs.at(-1)!)} us/put (all processes)`,
      );
      rounds.push(loop);
    }
    const errors = rounds.reduce((sum, r) => sum + r.errors, 0);
    const opsPerS = median(rounds.map((r) => ratePerS(r.ok, r.elapsedMs)));
    ctx.book.record({ name, unit: 'ops/s', better: 'higher' }, 'cairn', opsPerS, errors);
    const p50 = median(rounds.map((r) => summarizeLatencies(r.latenciesMs).p50Ms));
    ctx.book.record({ name: `${name}-p50`, unit: 'ms', better: 'lower' }, 'cairn', p50);
    const cpuFigure = `cpu-us-per-put-4KiB-n${cluster.nodes}`;
    ctx.book.record({ name: cpuFigure, unit: 'us', better: 'lower' }, 'cairn', median(cpuUs));
    return opsPerS;
  } finally {
    client.close();
  }
}

/**
 * CPU seconds used so far by every process of the cluster (nodes, stanchion, S3 front end),
 * summed; a process that cannot be read counts as NaN, so the figure is not understated.
 */
async function clusterCpuS(cluster: DevCluster): Promise<number> {
  const snapshots = await Promise.all(
    cluster.pids().map((pid) => readProcSnapshot(pid).catch(() => undefined)),
  );
  return snapshots.reduce((sum, s) => sum + (s ? s.cpuS : Number.NaN), 0);
}

async function sizes(cluster: DevCluster, nodes: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for (const node of nodes) out.push(await cluster.dataDirBytes(node));
  return out;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const mb = (bytes: number) => (bytes / MB).toFixed(1);

/** Writes the join phase's objects to a fresh bucket; returns what was written. */
async function writeJoinData(ctx: PhaseContext, cluster: DevCluster) {
  const { plan } = ctx;
  const server = serverOf(cluster);
  const bucket = ctx.bucket('cluster-join');
  await createBucket(ctx, server, bucket);
  const chunk = randomChunk();
  const objectBytes = plan.clusterJoinObjectBytes;
  const client = new SignedClient(server.target, { maxSockets: 4, timeoutMs: 60_000 });
  let written: LoopResult;
  try {
    const spec = { concurrency: 4, durationMs: 300_000, opsMax: plan.clusterJoinObjects };
    written = await runClosedLoop(spec, async (seq) => {
      // A different offset per object, so no two objects (or blocks) are equal.
      const body = repeatedBody(chunk, objectBytes, seq * 7919);
      const reply = await client.send({ method: 'PUT', path: `/${bucket}/join-${seq}`, body });
      if (!isSuccess(reply)) return { ok: false, bytes: 0, failure: describeReply(reply) };
      return { ok: true, bytes: objectBytes };
    });
  } finally {
    client.close();
  }
  if (written.errors > 0) ctx.recordFailures('join-5th data', written.failures);
  ctx.log(
    `cluster: wrote ${written.ok} x ${objectBytes} B (${written.errors} errors) in ` +
      `${(written.elapsedMs / 1000).toFixed(1)} s`,
  );
  return { written, dataBytes: written.ok * objectBytes };
}

/** 4 of 5 started nodes joined, data written, then the 5th joins. */
async function measureJoin(ctx: PhaseContext, cluster: DevCluster): Promise<void> {
  const { plan } = ctx;
  for (const node of [2, 3, 4]) await cluster.stageJoin(node);
  await cluster.planAndCommit();
  await cluster.waitConverged(4, plan.clusterConvergeMaxMs);
  ctx.log('cluster: 4 nodes converged; writing data');
  const { written, dataBytes } = await writeJoinData(ctx, cluster);
  await cluster.waitConverged(4, plan.clusterConvergeMaxMs);
  const before = await sizes(cluster, [1, 2, 3, 4, 5]);
  const beforeOld = sum(before.slice(0, 4));
  ctx.log(`cluster: data dirs before join (MB): ${before.map(mb).join(', ')}`);

  await cluster.stageJoin(5);
  let committedMs = 0;
  await cluster.planAndCommit(() => (committedMs = performance.now()));
  await cluster.waitConverged(5, plan.clusterConvergeMaxMs, 250);
  const joinS = (performance.now() - committedMs) / 1000;
  const converged = await sizes(cluster, [1, 2, 3, 4, 5]);
  const movedBytes = converged[4]! - before[4]!;
  const dirs = converged.map(mb).join(', ');
  ctx.log(`cluster: 5th node converged in ${joinS.toFixed(1)} s; dirs (MB): ${dirs}`);
  await sleep(plan.clusterDropWaitMs);
  const after = await sizes(cluster, [1, 2, 3, 4, 5]);
  const shrinkBytes = beforeOld - sum(after.slice(0, 4));
  ctx.log(
    `cluster: dirs ${plan.clusterDropWaitMs / 1000} s later (MB): ${after.map(mb).join(', ')}`,
  );

  const { book } = ctx;
  const errors = written.errors;
  book.record({ name: 'join-5th-seconds', unit: 's', better: 'lower' }, 'cairn', joinS, errors);
  book.record(
    { name: 'join-5th-bytes-moved', unit: 'MB', better: 'lower' },
    'cairn',
    movedBytes / MB,
  );
  const fractionKey = { name: 'join-5th-moved-fraction', unit: 'x', better: 'lower' } as const;
  book.record(fractionKey, 'cairn', movedFraction(movedBytes, dataBytes, N_VAL));
  book.note(fractionKey, `ideal 0.20; data ${mb(dataBytes)} MB x n_val ${N_VAL}`);
  book.record(
    { name: 'join-5th-others-shrink', unit: 'MB', better: 'higher' },
    'cairn',
    shrinkBytes / MB,
  );
  book.record(
    { name: 'join-5th-data-dirs-before', unit: 'MB', better: 'lower' },
    'cairn',
    beforeOld / MB,
  );
}
