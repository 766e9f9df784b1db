/**
 * The timed part of a soak: workload, restarts and sampling side by side for the planned
 * minutes, then a last sample, the read-back of every acknowledged object and the files.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, open, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { DevCluster } from '../servers/dev-cluster.js';
import type { SoakOptions } from './options.js';
import { clusterPids, sampleCluster } from './probe.js';
import {
  LATENCY_CSV_HEADER,
  PROCESS_CSV_HEADER,
  latencyCsvRows,
  processCsvRows,
  startMiddleEnd,
  tableHeader,
  tableLine,
  type SoakSample,
} from './report.js';
import { startRestarts, type RestartEvent } from './restarter.js';
import { verifyAll, type Verification } from './verify.js';
import { startWorkload, type WorkloadContext } from './workload.js';

/** What the timed part needs. */
export interface SoakRun {
  options: SoakOptions;
  out: string;
  cluster: DevCluster;
  ctx: WorkloadContext;
  log: (line: string) => void;
}

const LOG_TAIL_BYTES = 256 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Samples every `sampleSeconds` until stopped; every PID seen goes into `pidsSeen`. */
function startSampling(run: SoakRun, samples: SoakSample[], pidsSeen: Set<number>) {
  const started = performance.now();
  let busy: Promise<void> = Promise.resolve();
  const take = async () => {
    const tS = Math.round((performance.now() - started) / 100) / 10;
    const processes = await sampleCluster(run.cluster.dir);
    for (const p of processes) if (p.pid !== null) pidsSeen.add(p.pid);
    const sample = { tS, processes, ops: run.ctx.windows.take() };
    if (samples.length === 0) run.log(tableHeader(processes.map((p) => p.name)));
    samples.push(sample);
    run.log(tableLine(sample));
    await appendFile(join(run.out, 'processes.csv'), processCsvRows(sample).join('\n') + '\n');
    await appendFile(join(run.out, 'latency.csv'), latencyCsvRows(sample).join('\n') + '\n');
  };
  let sampling = false;
  // A sample slower than the period (a loaded machine) skips ticks rather than queueing them.
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    busy = take().finally(() => {
      sampling = false;
    });
  }, run.options.sampleSeconds * 1000);
  return {
    elapsedS: () => Math.round((performance.now() - started) / 1000),
    async stop(): Promise<void> {
      clearInterval(timer);
      await busy;
      busy = take();
      await busy;
    },
  };
}

async function copyLogTails(run: SoakRun): Promise<void> {
  const target = join(run.out, 'logs');
  await mkdir(target, { recursive: true });
  for (const name of (await clusterPids(run.cluster.dir)).keys()) {
    const handle = await open(join(run.cluster.dir, 'log', `${name}.log`)).catch(() => null);
    if (handle === null) continue;
    const { size } = await handle.stat();
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    await handle.close();
    await writeFile(join(target, `${name}.log`), buffer);
  }
}

function failuresOf(v: Verification): number {
  return v.lost + v.corrupt + v.resurrected + v.unreadable;
}

/** Runs the soak; resolves with the number of keys that did not read back as allowed. */
export async function runPhases(run: SoakRun): Promise<number> {
  const { options, out, cluster, ctx, log } = run;
  const loadAtStart = loadavg()[0]!;
  await writeFile(join(out, 'processes.csv'), PROCESS_CSV_HEADER + '\n');
  await writeFile(join(out, 'latency.csv'), LATENCY_CSV_HEADER + '\n');
  const samples: SoakSample[] = [];
  const restarts: RestartEvent[] = [];
  const pidsSeen = new Set<number>((await clusterPids(cluster.dir)).values());
  const sampling = startSampling(run, samples, pidsSeen);
  const workload = startWorkload(ctx, options.concurrency);
  const onRestart = (e: RestartEvent) => {
    restarts.push(e);
    const how = e.ok ? 'ok' : 'FAILED';
    log(`restart ${e.node}: ${how} (exit ${e.exitMs} ms, start ${e.startMs} ms)`);
  };
  const everyMs = options.restartEveryMinutes * 60_000;
  const restarter =
    everyMs > 0
      ? startRestarts(cluster, everyMs, sampling.elapsedS, onRestart)
      : { stop: async () => undefined };
  await sleep(options.minutes * 60_000);
  log('time is up: waiting for a restart in progress and the requests in flight');
  await restarter.stop();
  await workload.stop();
  await sampling.stop();
  for (const pid of (await clusterPids(cluster.dir)).values()) pidsSeen.add(pid);
  log(`reading back ${ctx.ledger.keys().length} keys`);
  const verification = await verifyAll(ctx, ctx.ledger, options.concurrency);
  log(`read-back: ${JSON.stringify(verification)}`);
  await copyLogTails(run);
  const meta = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    cores: cpus().length,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    clusterDir: cluster.dir,
  };
  const summary = { startMiddleEnd: startMiddleEnd(samples), workload: ctx.windows.totals() };
  const document = { meta, options, pids: [...pidsSeen], restarts, verification, summary, samples };
  await writeFile(join(out, 'soak.json'), JSON.stringify(document, null, 2) + '\n');
  log(`summary: ${JSON.stringify(summary)}`);
  log(`wrote soak.json, processes.csv, latency.csv and logs/ in ${out}`);
  return failuresOf(verification);
}
