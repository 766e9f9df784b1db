/**
 * A small tmpfs for full-disk tests. Mounting needs root (CI runs as root); elsewhere the
 * test that needs one skips and says why, and in CI (CI=true) a failed mount is an error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted tmpfs. */
export interface Tmpfs {
  dir: string;
  unmount(): Promise<void>;
}

/** Why a tmpfs cannot be mounted here, or undefined when it can (probed once). */
export function tmpfsUnavailable(): string | undefined {
  const reason = probe();
  if (reason && process.env.CI === 'true') throw new Error(`${reason}; CI runs as root`);
  return reason;
}

let probed: string | undefined | null = null;
function probe(): string | undefined {
  if (probed !== null) return probed;
  const dir = join(tmpdir(), `cairn-tmpfs-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir]);
    probed = undefined;
  } catch {
    probed = 'mounting a tmpfs needs root (mount -t tmpfs failed)';
  }
  execFileSync('rm', ['-rf', dir]);
  return probed;
}

/** Mounts a tmpfs of `sizeBytes` on a new temporary directory. */
export async function mountTmpfs(sizeBytes: number, dir?: string): Promise<Tmpfs> {
  const mountPoint = dir ?? (await mkdtemp(join(tmpdir(), 'cairn-tmpfs-')));
  execFileSync('mkdir', ['-p', mountPoint]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', mountPoint]);
  return {
    dir: mountPoint,
    async unmount() {
      // Lazy: a process killed a moment ago may still hold a file open.
      execFileSync('umount', ['-l', mountPoint]);
      await rm(mountPoint, { recursive: true, force: true });
    },
  };
}
