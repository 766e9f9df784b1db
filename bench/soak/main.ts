/**
 * `npm run soak -- --minutes N`: a long run against a real dev cluster. Starts N storage
 * nodes, both stanchions and the S3 front end (`scripts/dev-cluster.sh`, in a temp dir on
 * free ports), joins them, drives the mixed workload, restarts one node every few minutes
 * and samples every process every few seconds; at the end reads back every object the
 * cluster acknowledged, writes soak.json, processes.csv and latency.csv, and stops every
 * process it started (by PID), on an error and on Ctrl-C too. Exits 1 when anything
 * acknowledged did not read back as written.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DevCluster, killDevClustersNow } from '../servers/dev-cluster.js';
import { Ledger } from './ledger.js';
import { parseSoakOptions, SOAK_USAGE, type SoakOptions } from './options.js';
import { runPhases, type SoakRun } from './run.js';
import { LatencyWindows } from './window.js';
import type { WorkloadContext } from './workload.js';

const REGION = 'us-east-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) =>
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

function stopOnSignals(): void {
  process.on('exit', killDevClustersNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every process of the cluster`);
      killDevClustersNow();
      process.exit(130);
    });
  }
}

async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(1000);
    }
  }
}

async function startCluster(options: SoakOptions): Promise<DevCluster> {
  // The dev cluster's processes inherit this environment.
  process.env.CAIRN_GC_LEEWAY_SECONDS = String(options.gcLeewaySeconds);
  log(
    `starting ${options.nodes} nodes, 2 stanchions and S3 (gc leeway ${options.gcLeewaySeconds} s)`,
  );
  const cluster = await DevCluster.start(options.nodes, REGION);
  log(`cluster in ${cluster.dir}, base port ${cluster.basePort}, ${cluster.target.url}`);
  if (options.nodes > 1) {
    await cluster.script(['join'], 120_000);
    await cluster.waitConverged(options.nodes, 300_000);
    log(`${options.nodes} nodes joined and converged`);
  }
  return cluster;
}

function workloadContext(cluster: DevCluster, options: SoakOptions): WorkloadContext {
  const { url, accessKeyId, secretAccessKey } = cluster.target;
  const s3 = new S3Client({
    endpoint: url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestHandler: { requestTimeout: 60_000, httpAgent: { maxSockets: options.concurrency } },
  });
  return {
    s3,
    bucket: 'soak',
    ledger: new Ledger(),
    windows: new LatencyWindows(),
    keysPerWorker: options.keysPerWorker,
    random: Math.random,
    now: () => performance.now(),
  };
}

async function main(): Promise<number> {
  let options: SoakOptions | 'help';
  try {
    options = parseSoakOptions(process.argv.slice(2), new Date());
  } catch (error) {
    console.error(`soak: ${(error as Error).message}\n${SOAK_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(SOAK_USAGE);
    return 0;
  }
  stopOnSignals();
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const cluster = await startCluster(options);
  try {
    const ctx = workloadContext(cluster, options);
    await createBucket(ctx.s3, ctx.bucket);
    const run: SoakRun = { options, out, cluster, ctx, log };
    const failures = await runPhases(run);
    return failures === 0 ? 0 : 1;
  } finally {
    await cluster.close();
    log(`stopped every process of the cluster and removed ${cluster.dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak failed: ${(error as Error).stack ?? String(error)}`);
    killDevClustersNow();
    process.exit(1);
  },
);
