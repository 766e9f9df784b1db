/**
 * `npm run bench`: measures Cairn against this machine's ceilings (and s3rver, by flag) in
 * one run and prints every figure beside its ceiling and peer. It owns the servers it
 * starts and must stop them by PID however the run ends: success, error or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { evaluateGoals } from './core/goals.js';
import { PHASES, USAGE, parseBenchArgs, type BenchOptions, type Phase } from './core/options.js';
import { benchPlan } from './core/plan.js';
import { renderGoals, renderMachine, renderResults } from './core/report.js';
import { ResultBook, benchDocument, type MachineFigure } from './core/results.js';
import { PhaseContext } from './phases/context.js';
import { runLargeObjects } from './phases/large-objects.js';
import { runList } from './phases/list.js';
import { measureMachine } from './phases/machine.js';
import { logPeakRss, recordPeakRss } from './phases/memory.js';
import { runMultipart } from './phases/multipart.js';
import { runSmallObjects } from './phases/small-objects.js';
import { runCluster } from './phases/cluster.js';
import { killDevClustersNow } from './servers/dev-cluster.js';
import {
  startCairnServer,
  startNoopServer,
  startS3rverServer,
  type BenchServer,
} from './servers/bench-servers.js';
import { ProcessGroup } from './servers/process-group.js';
import { runMeta } from './run-meta.js';
import { printProfileSummaries } from './profile-summary.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function startServers(group: ProcessGroup, options: BenchOptions): Promise<BenchServer[]> {
  const { region } = options;
  const servers: BenchServer[] = [];
  if (options.endpoint) {
    const { url, accessKeyId, secretAccessKey, pid } = options.endpoint;
    const target = { url, accessKeyId, secretAccessKey, region };
    const endpoint: BenchServer = { role: 'cairn', label: 'endpoint', target, stores: true };
    if (pid !== undefined) endpoint.pid = pid;
    servers.push(endpoint);
  } else {
    const cpuProf = options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {};
    servers.push(await startCairnServer(group, { region, ...cpuProf }));
  }
  if (options.peer === 's3rver') servers.push(await startS3rverServer(group, region));
  servers.push(await startNoopServer(group, region));
  for (const s of servers) log(`${s.label} (${s.role}) at ${s.target.url}, pid ${s.pid ?? '-'}`);
  return servers;
}

async function measureAll(group: ProcessGroup, options: BenchOptions, ctx: PhaseContext) {
  log('machine ceilings: MD5, fdatasync writes');
  const machine = await measureMachine(group, ctx.plan);
  const servers = await startServers(group, options);
  const runners: Record<Phase, () => Promise<void>> = {
    small: () => runSmallObjects(ctx, servers),
    large: () => runLargeObjects(ctx, servers),
    multipart: () => runMultipart(ctx, servers),
    list: () => runList(ctx, servers[0]!),
    cluster: () => runCluster(ctx, options.region),
  };
  for (const phase of PHASES.filter((p) => options.phases.has(p))) {
    log(`phase ${phase}`);
    await runners[phase]();
    await logPeakRss(ctx, servers);
  }
  await recordPeakRss(ctx, servers);
  return machine;
}

async function report(
  options: BenchOptions,
  ctx: PhaseContext,
  machine: MachineFigure[],
  started: { ms: number; loadAverage: number[] },
) {
  const results = ctx.book.list();
  const goals = evaluateGoals(results);
  const errors = ctx.book.errorCount();
  const out = [
    renderResults(results),
    '',
    renderMachine(machine),
    '',
    renderGoals(goals),
    '',
    errors > 0
      ? `FLAGGED: ${errors} failed requests; figures of this run are suspect:\n  ` +
        ctx.failureSamples.join('\n  ')
      : 'no failed requests',
    `total ${((Date.now() - started.ms) / 1000).toFixed(0)} s; 1-min load average ` +
      `${started.loadAverage[0]!.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (options.jsonPath) {
    const meta = await runMeta(options, ctx, Date.now() - started.ms, started.loadAverage);
    const doc = benchDocument(results, machine, { goals, errorSamples: ctx.failureSamples, meta });
    await writeFile(options.jsonPath, JSON.stringify(doc, null, 2) + '\n');
    log(`wrote ${options.jsonPath}`);
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = { ms: Date.now(), loadAverage: loadavg() };
  const group = new ProcessGroup(log);
  process.on('exit', () => {
    killDevClustersNow();
    group.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping servers`);
      group.killNow();
      process.exit(130);
    });
  }
  const runId = randomBytes(3).toString('hex');
  const ctx = new PhaseContext(benchPlan(options), new ResultBook(), runId, log);
  let machine: MachineFigure[];
  try {
    machine = await measureAll(group, options, ctx);
  } finally {
    await group.closeAll();
  }
  await report(options, ctx, machine, started);
  if (options.cpuProfDir) await printProfileSummaries(options.cpuProfDir);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
