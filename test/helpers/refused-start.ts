/**
 * Runs one `cairn` program (node dist/src/main.js ARGS) that is expected to refuse to start,
 * and resolves with its exit code and everything it printed; killed by PID after a bound.
 * `asUser` runs it as another uid through setpriv (so a root test run can meet a
 * permission error: root passes every permission check).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MAIN_JS } from './cairn-process.js';

/** How one refused start ended. */
export interface Refusal {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link refusedStart}. */
export interface RefusedStartOptions {
  env?: Record<string, string>;
  /** Run as this uid and gid (needs root and setpriv). */
  asUser?: number;
  timeoutMs?: number;
}

/** Why a test cannot run a program as another user here, or undefined when it can. */
export function otherUserUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'running a program as another user needs root';
  return existsSync('/usr/bin/setpriv') ? undefined : 'setpriv is missing (util-linux)';
}

/** Runs `cairn ARGS`, expecting it to exit by itself; resolves with how it ended. */
export function refusedStart(args: string[], options: RefusedStartOptions = {}): Promise<Refusal> {
  const node = [process.execPath, MAIN_JS, ...args];
  const [file, ...argv] =
    options.asUser === undefined
      ? node
      : [
          '/usr/bin/setpriv',
          `--reuid=${options.asUser}`,
          `--regid=${options.asUser}`,
          '--clear-groups',
          ...node,
        ];
  const child = spawn(file!, argv, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
}
