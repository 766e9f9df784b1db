/**
 * The I/O side of the disk guard: asks the filesystem that holds a data dir for its space.
 */
import { statfs } from 'node:fs/promises';
import { DiskGuard } from './disk-guard.js';

/** A guard for the filesystem holding `dir`; `reserveBytes` overrides the default reserve. */
export function diskGuardFor(dir: string, reserveBytes?: number): DiskGuard {
  return new DiskGuard({
    probe: async () => {
      const stats = await statfs(dir);
      return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
    },
    clock: Date.now,
    ...(reserveBytes !== undefined ? { reserveBytes } : {}),
  });
}
