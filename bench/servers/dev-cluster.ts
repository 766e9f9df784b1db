/**
 * A `scripts/dev-cluster.sh` cluster for the cluster phase: real `node`, `stanchion` and
 * `s3` processes on loopback, in a temp CAIRN_DEV_DIR on free ports. Every cluster started
 * here is stopped by `close()` (the script's `stop`, then SIGKILL of any PID left in its
 * pids dir) and its dir removed; `killDevClustersNow()` does the same synchronously for the
 * harness's exit handler (errors, SIGINT). Every command runs with a timeout.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  clusterPorts,
  ownershipConverged,
  parseDuBytes,
  pickBasePort,
} from '../core/cluster-status.js';
import type { S3Target } from '../load/signed-client.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PORT_TRIES = 20;
const live = new Set<DevCluster>();

interface RunResult {
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<RunResult>((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const what = `${command} ${args.join(' ')}`;
          reject(new Error(`${what} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else {
          resolvePromise({ stdout, stderr });
        }
      },
    );
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}

async function freeBasePort(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < PORT_TRIES; attempt++) {
    const base = pickBasePort(Math.random());
    const checks = await Promise.all(clusterPorts(base, nodes).map(portFree));
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no free base port for ${nodes} nodes after ${PORT_TRIES} tries`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whose build a cluster runs, and what its processes' environment adds. */
export interface DevClusterOptions {
  /** A checkout (built) whose scripts/dev-cluster.sh and dist run; this one by default. */
  root?: string;
  /** Variables added to every process's environment (settings such as CAIRN_*). */
  env?: Record<string, string>;
}

/** A running dev cluster. */
export class DevCluster {
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly basePort: number,
    readonly nodes: number,
    readonly target: S3Target,
    private readonly options: DevClusterOptions,
  ) {}

  /** Starts `nodes` nodes (not joined), both stanchions and S3 in a new temp dir. */
  static async start(
    nodes: number,
    region: string,
    options: DevClusterOptions = {},
  ): Promise<DevCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-cluster-'));
    const basePort = await freeBasePort(nodes).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    const placeholder = { url: '', accessKeyId: '', secretAccessKey: '', region };
    const cluster = new DevCluster(dir, basePort, nodes, placeholder, options);
    live.add(cluster);
    try {
      const { stdout } = await cluster.script(['start', String(nodes)], 90_000);
      const field = (name: string) => {
        const match = new RegExp(`^${name}=(\\S+)$`, 'm').exec(stdout);
        if (!match) throw new Error(`dev-cluster start printed no ${name}:\n${stdout}`);
        return match[1]!;
      };
      cluster.target.url = field('S3_ENDPOINT');
      cluster.target.accessKeyId = field('AWS_ACCESS_KEY_ID');
      cluster.target.secretAccessKey = field('AWS_SECRET_ACCESS_KEY');
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.options.env,
      CAIRN_DEV_DIR: this.dir,
      CAIRN_DEV_BASE_PORT: String(this.basePort),
    };
  }

  /** Runs `scripts/dev-cluster.sh ARGS` for this cluster. */
  script(args: string[], timeoutMs = 60_000): Promise<RunResult> {
    const script = resolve(this.options.root ?? ROOT, 'scripts/dev-cluster.sh');
    return run('bash', [script, ...args], this.env(), timeoutMs);
  }

  /** The cluster cookie the script made. */
  cookie(): string {
    return readFileSync(join(this.dir, 'cookie'), 'utf8').trim();
  }

  /** Runs `cairn-admin --node <devI> ARGS`, with the cookie the script made for the cluster. */
  admin(node: number, args: string[], timeoutMs = 30_000): Promise<RunResult> {
    const nodeArgs = ['--node', `127.0.0.1:${this.basePort + node}`];
    const env = { ...this.env(), CAIRN_COOKIE: this.cookie() };
    const adminJs = resolve(this.options.root ?? ROOT, 'dist/src/cli/cairn-admin.js');
    return run(process.execPath, [adminJs, ...nodeArgs, ...args], env, timeoutMs);
  }

  /** devI stages a join to dev1 (I ≥ 2). */
  async stageJoin(node: number): Promise<void> {
    await this.admin(node, ['cluster', 'join', `dev1@127.0.0.1:${this.basePort + 1}`]);
  }

  /** `cluster plan` then `cluster commit` on dev1. */
  async planAndCommit(beforeCommit?: () => void): Promise<void> {
    await this.admin(1, ['cluster', 'plan']);
    beforeCommit?.();
    await this.admin(1, ['cluster', 'commit']);
  }

  /**
   * Polls member-status and transfers on dev1 (every `pollMs`) until `members` valid members
   * have nothing pending and no transfer is active; throws after `timeoutMs`.
   */
  async waitConverged(members: number, timeoutMs: number, pollMs = 500): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const status = (await this.admin(1, ['member-status'], 15_000)).stdout;
        const transfers = (await this.admin(1, ['transfers'], 15_000)).stdout;
        last = `${status}\n${transfers}`;
        if (ownershipConverged(status, members, transfers)) return;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(pollMs);
    }
    throw new Error(`cluster not converged after ${timeoutMs} ms; last status:\n${last}`);
  }

  /** Bytes in devI's data dir (`du -sb`). */
  async dataDirBytes(node: number): Promise<number> {
    const { stdout } = await run('du', ['-sb', join(this.dir, `dev${node}`)], process.env, 30_000);
    return parseDuBytes(stdout);
  }

  /** Stops every process of the cluster and removes its dir; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.script(['stop'], 30_000);
    } catch {
      // The SIGKILL below still stops whatever is left.
    }
    this.killNow();
  }

  /** The PIDs in the pids dir: every process of the cluster (nodes, stanchion, S3). */
  pids(): number[] {
    const pidsDir = join(this.dir, 'pids');
    let files: string[] = [];
    try {
      files = readdirSync(pidsDir).filter((f) => f.endsWith('.pid'));
    } catch {
      files = [];
    }
    const pids: number[] = [];
    for (const file of files) {
      try {
        const pid = Number(readFileSync(join(pidsDir, file), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) pids.push(pid);
      } catch {
        // Removed meanwhile.
      }
    }
    return pids;
  }

  /** SIGKILL of every PID left in the pids dir, then removal of the dir. Synchronous. */
  killNow(): void {
    this.closed = true;
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

/** Kills every cluster still running (for `process.on('exit')`). */
export function killDevClustersNow(): void {
  for (const cluster of [...live]) cluster.killNow();
}
