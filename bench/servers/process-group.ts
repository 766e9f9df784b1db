/**
 * Owns every process and temporary directory the harness creates: servers are spawned
 * through it and stopped through it, by PID, at the end of the run, on an error and on
 * SIGINT/SIGTERM. It must never signal a process it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to start a server and how to tell it is ready. */
export interface ServerSpawnSpec {
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  /** Matched against everything the process printed; the match is returned. */
  readyPattern: RegExp;
  readyTimeoutMs: number;
}

/** A started server process. */
export interface ServerProcess {
  name: string;
  pid: number;
  /** The readiness match (captures such as the URL). */
  ready: RegExpExecArray;
  /** The last few KiB the process printed. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_BYTES_MAX = 64 * 1024;

/** The processes and temp dirs of one run. */
export class ProcessGroup {
  private readonly children = new Set<ChildProcess>();
  private readonly dirs = new Set<string>();
  private readonly stopping = new Set<ChildProcess>();
  private closing = false;

  /** @param log - told when a server exits before `closeAll`, with its last output. */
  constructor(private readonly log: (line: string) => void = () => undefined) {}

  /** A new empty directory under the OS temp dir, removed by `closeAll`. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.add(dir);
    return dir;
  }

  /** Starts a server and waits until it printed `readyPattern`. */
  async spawnServer(spec: ServerSpawnSpec): Promise<ServerProcess> {
    const child = spawn(spec.command, [...spec.args], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let output = '';
    const append = (data: Buffer) => {
      output = (output + data.toString('utf8')).slice(-OUTPUT_BYTES_MAX);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => {
      this.children.delete(child);
      if (this.closing || this.stopping.has(child)) return;
      const how = child.signalCode ?? `code ${child.exitCode}`;
      this.log(
        `${spec.name} (pid ${child.pid}) exited unexpectedly (${how}):\n${output.slice(-4096)}`,
      );
    });
    try {
      const ready = await waitForOutput(() => output, spec, exited);
      return {
        name: spec.name,
        pid: child.pid!,
        ready,
        output: () => output,
        stop: (graceMs = 10_000) => {
          this.stopping.add(child);
          return stopChild(child, exited, graceMs);
        },
      };
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Stops every live child (SIGTERM, then SIGKILL) and removes the temp dirs. */
  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.children].map((child) =>
        stopChild(child, new Promise((r) => child.once('exit', () => r(undefined))), 5_000),
      ),
    );
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
    this.dirs.clear();
  }

  /** Synchronous last resort for `process.on('exit')`: SIGKILL children, remove dirs. */
  killNow(): void {
    this.closing = true;
    for (const child of this.children) child.kill('SIGKILL');
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  const late = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function waitForOutput(
  output: () => string,
  spec: ServerSpawnSpec,
  exited: Promise<void>,
): Promise<RegExpExecArray> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadlineMs = Date.now() + spec.readyTimeoutMs;
  while (Date.now() < deadlineMs) {
    const match = spec.readyPattern.exec(output());
    if (match) return match;
    if (gone) throw new Error(`${spec.name} exited before it was ready:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${spec.name} not ready after ${spec.readyTimeoutMs} ms:\n${output()}`);
}
