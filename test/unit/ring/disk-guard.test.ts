import { describe, expect, it } from 'vitest';
import {
  defaultReserveBytes,
  DiskFullError,
  DiskGuard,
  isDiskFullError,
  type DiskSpace,
} from '../../../ring/node/disk-guard.js';

const MiB = 1024 ** 2;

function guardWith(space: DiskSpace, reserveBytes?: number) {
  let nowMs = 0;
  let probes = 0;
  const state = { space };
  const guard = new DiskGuard({
    probe: async () => {
      probes++;
      return state.space;
    },
    clock: () => nowMs,
    refreshMs: 1000,
    ...(reserveBytes !== undefined ? { reserveBytes } : {}),
  });
  return {
    guard,
    state,
    advance: (ms: number) => (nowMs += ms),
    probes: () => probes,
  };
}

describe('disk guard', () => {
  it('admits writes above the reserve and refuses them below it', async () => {
    const t = guardWith({ freeBytes: 100 * MiB, totalBytes: 1000 * MiB }, 10 * MiB);
    await t.guard.admitWrite();
    t.state.space = { freeBytes: 9 * MiB, totalBytes: 1000 * MiB };
    t.advance(1000);
    await expect(t.guard.admitWrite()).rejects.toBeInstanceOf(DiskFullError);
    t.state.space = { freeBytes: 50 * MiB, totalBytes: 1000 * MiB };
    t.advance(1000);
    await t.guard.admitWrite();
  });

  it('asks the filesystem at most once per refresh period', async () => {
    const t = guardWith({ freeBytes: 100 * MiB, totalBytes: 1000 * MiB });
    await Promise.all(Array.from({ length: 20 }, () => t.guard.admitWrite()));
    await t.guard.admitWrite();
    expect(t.probes()).toBe(1);
    t.advance(999);
    await t.guard.admitWrite();
    expect(t.probes()).toBe(1);
    t.advance(1);
    await t.guard.admitWrite();
    expect(t.probes()).toBe(2);
  });

  it('an ENOSPC seen by a write refuses the next writes until the next look', async () => {
    const t = guardWith({ freeBytes: 100 * MiB, totalBytes: 1000 * MiB }, MiB);
    await t.guard.admitWrite();
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    expect(t.guard.noteWriteError(enospc)).toBe(true);
    await expect(t.guard.admitWrite()).rejects.toThrow(/disk is full/);
    t.advance(1000);
    await t.guard.admitWrite();
    expect(t.guard.noteWriteError(new Error('EIO'))).toBe(false);
    await t.guard.admitWrite();
  });

  it('keeps writing when the filesystem cannot be asked', async () => {
    const guard = new DiskGuard({
      probe: () => Promise.reject(new Error('statfs failed')),
      clock: () => 0,
    });
    await guard.admitWrite();
  });

  it('recognises LevelDB and Node full-disk errors', () => {
    expect(isDiskFullError(new Error('IO error: /d/000003.log: No space left on device'))).toBe(
      true,
    );
    expect(isDiskFullError(Object.assign(new Error('x'), { code: 'EDQUOT' }))).toBe(true);
    expect(isDiskFullError(new Error('IO error: corruption'))).toBe(false);
  });

  it('reserves 5 % of the filesystem, at most 1 GiB', () => {
    expect(defaultReserveBytes(100 * MiB)).toBe(5 * MiB);
    expect(defaultReserveBytes(1024 ** 4)).toBe(1024 ** 3);
  });
});
