/**
 * Restarts the storage nodes one at a time, round robin, every few minutes: SIGTERM to the
 * node's PID (a clean shutdown, as an operator's restart does), up to `termGraceMs` for it
 * to exit, then `dev-cluster.sh restart devI`, which starts it again and waits until it
 * serves (and SIGKILLs it first if it ignored the SIGTERM).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevCluster } from '../servers/dev-cluster.js';

/** One restart as it happened. */
export interface RestartEvent {
  /** Seconds since the workload started. */
  atS: number;
  node: string;
  oldPid: number | null;
  /** Milliseconds from SIGTERM until the process was gone. */
  exitMs: number | null;
  /** Milliseconds from launch until it logged that it serves. */
  startMs: number;
  ok: boolean;
  message: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}

async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return /^\d+ \(.*\) Z/.test(stat);
}

async function terminate(pid: number, graceMs: number): Promise<number | null> {
  const started = performance.now();
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 0;
  }
  while (performance.now() - started < graceMs) {
    if (!running(pid) || (await isZombie(pid))) return Math.round(performance.now() - started);
    await sleep(50);
  }
  return null;
}

/** Restarts `devI`; never throws (a failed restart is an event with ok: false). */
export async function restartNode(
  cluster: DevCluster,
  index: number,
  atS: number,
  termGraceMs = 20_000,
): Promise<RestartEvent> {
  const node = `dev${index}`;
  const text = await readFile(join(cluster.dir, 'pids', `${node}.pid`), 'utf8').catch(() => '');
  const oldPid = Number.isInteger(Number(text.trim())) && text.trim() ? Number(text) : null;
  const exitMs = oldPid === null ? null : await terminate(oldPid, termGraceMs);
  const launched = performance.now();
  try {
    const { stdout } = await cluster.script(['restart', node], 90_000);
    const startMs = Math.round(performance.now() - launched);
    return { atS, node, oldPid, exitMs, startMs, ok: true, message: stdout.trim() };
  } catch (error) {
    const startMs = Math.round(performance.now() - launched);
    const message = (error as Error).message.slice(0, 400);
    return { atS, node, oldPid, exitMs, startMs, ok: false, message };
  }
}

/**
 * Every `everyMs`, restarts the next node (dev1, dev2 … devN, dev1 …) until stopped;
 * `stop()` waits for a restart in progress to finish, so the cluster is whole afterwards.
 */
export function startRestarts(
  cluster: DevCluster,
  everyMs: number,
  elapsedS: () => number,
  onEvent: (event: RestartEvent) => void,
) {
  let next = 1;
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const index = next;
    next = (next % cluster.nodes) + 1;
    busy = busy.then(async () => onEvent(await restartNode(cluster, index, elapsedS())));
  }, everyMs);
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await busy;
    },
  };
}
