/**
 * The stanchion bench's cluster: a joined 3-node dev cluster with two stanchions
 * (bench/servers/dev-cluster.ts), of this checkout's build or another's to compare with.
 */
import { resolve } from 'node:path';
import { DevCluster } from '../servers/dev-cluster.js';
import type { StanchionCluster } from './measure.js';

/** What the bench needs of a cluster: the probe's view, and closing it. */
export interface BenchCluster extends StanchionCluster {
  close(): Promise<void>;
}

/** Dev-cluster commands here may wait for a loaded machine. */
const SCRIPT_TIMEOUT_MS = 180_000;

/** Starts and joins `nodes` nodes, both stanchions and S3 of `root`, with `env` added. */
export async function startBenchCluster(
  root: string,
  nodes: number,
  env: Record<string, string>,
): Promise<BenchCluster> {
  const cluster = await DevCluster.start(nodes, 'us-east-1', { root: resolve(root), env });
  try {
    await cluster.script(['join'], SCRIPT_TIMEOUT_MS);
    return {
      dir: cluster.dir,
      basePort: cluster.basePort,
      cookie: cluster.cookie(),
      script: async (...args) => (await cluster.script(args, SCRIPT_TIMEOUT_MS)).stdout,
      close: () => cluster.close(),
    };
  } catch (error) {
    await cluster.close();
    throw error;
  }
}
