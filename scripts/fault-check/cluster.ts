/**
 * Runs scripts/dev-cluster.sh for the checker: a temporary directory, a free port range,
 * and a stop that leaves no process behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/dev-cluster.sh');

/** A dev cluster the checker owns. */
export interface CheckCluster {
  dir: string;
  basePort: number;
  run(...args: string[]): string;
  stop(): void;
}

/** Starts `count` nodes with fast anti-entropy, joins them and waits for convergence. */
export function startCluster(count: number, basePort: number): CheckCluster {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-faults-'));
  const env = {
    ...process.env,
    CAIRN_DEV_DIR: dir,
    CAIRN_DEV_BASE_PORT: String(basePort),
    CAIRN_AAE_INTERVAL_MS: process.env.CAIRN_CHECK_AAE_INTERVAL_MS ?? '100',
  };
  const run = (...args: string[]) =>
    execFileSync('bash', [SCRIPT, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  const stop = () => {
    try {
      run('stop');
    } catch {
      // Fall through to the PID sweep.
    }
    for (const file of safeList(join(dir, 'pids'))) {
      const pid = Number(readFileSync(join(dir, 'pids', file), 'utf8'));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, basePort, run, stop };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose dev-cluster range (base+1..base+9, +80, +85) is free now. */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the ephemeral range (32768+), where port-0 servers and clients land.
    const base = 10_000 + Math.floor(Math.random() * 220) * 100;
    const ports = [
      ...Array.from({ length: 9 }, (_, i) => base + 1 + i),
      base + 80,
      base + 81,
      base + 85,
      base + 86,
    ];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the checker cluster');
}
