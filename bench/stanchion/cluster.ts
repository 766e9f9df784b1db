/**
 * A 3-node dev cluster with two stanchions for the stanchion bench, from any checkout's
 * `scripts/dev-cluster.sh` (this one's, or another's to compare with): a temp
 * CAIRN_DEV_DIR, free ports, joined; closed by the script's `stop` and SIGKILL of every PID
 * in its pids dir, then the dir removed.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pickBasePort } from '../core/cluster-status.js';
import type { StanchionCluster } from './measure.js';

const run = promisify(execFile);
const live = new Set<BenchCluster>();

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

async function freeBase(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = pickBasePort(Math.random());
    const ports = [...Array.from({ length: nodes }, (_, i) => base + 1 + i), base + 80];
    ports.push(base + 81, base + 85, base + 86);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free base port for a dev cluster');
}

/** A running cluster of `root`'s build. */
export class BenchCluster implements StanchionCluster {
  cookie = '';

  private constructor(
    readonly root: string,
    readonly dir: string,
    readonly basePort: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts and joins `nodes` nodes, both stanchions and S3 of `root`, with `env` added. */
  static async start(root: string, nodes: number, env: Record<string, string>) {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-stanchion-'));
    const basePort = await freeBase(nodes);
    const fullEnv = {
      ...process.env,
      ...env,
      CAIRN_DEV_DIR: dir,
      CAIRN_DEV_BASE_PORT: String(basePort),
    };
    const cluster = new BenchCluster(resolve(root), dir, basePort, fullEnv);
    live.add(cluster);
    try {
      await cluster.script('start', String(nodes));
      await cluster.script('join');
      cluster.cookie = readFileSync(join(dir, 'cookie'), 'utf8').trim();
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  async script(...args: string[]): Promise<string> {
    const script = join(this.root, 'scripts/dev-cluster.sh');
    const options = { env: this.env, timeout: 180_000, maxBuffer: 4 << 20 };
    return (await run('bash', [script, ...args], options)).stdout;
  }

  /** The PIDs the script started (nodes, stanchions, S3). */
  pids(): number[] {
    const pidsDir = join(this.dir, 'pids');
    const files = (() => {
      try {
        return readdirSync(pidsDir);
      } catch {
        return [];
      }
    })();
    return files
      .map((f) => Number(readFileSync(join(pidsDir, f), 'utf8').trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  async close(): Promise<void> {
    await this.script('stop').catch(() => undefined);
    this.killNow();
  }

  /** SIGKILL of every PID left, then the dir removed. Synchronous (exit handlers). */
  killNow(): void {
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

/** Kills every bench cluster still running (for process exit and SIGINT). */
export function killBenchClustersNow(): void {
  for (const cluster of [...live]) cluster.killNow();
}
