/**
 * The machine's own ceilings, measured in the same run as the figures they bound: MD5
 * throughput on one core (every PUT hashes its body), sequential 1 MiB writes each followed
 * by fdatasync, 1 MiB blocks each in a new file (how the blob store writes), and small
 * fdatasync'd writes per second (the cost of one durable commit). Files go in the same
 * filesystem as the servers' data dirs. This machine's disk is shared and its speed swings
 * several-fold from one second to the next, so disk figures are medians of rounds.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MachineFigure } from '../core/results.js';
import { median, megabytesPerS, ratePerS } from '../core/stats.js';
import { randomChunk } from '../load/payload.js';
import type { ProcessGroup } from '../servers/process-group.js';

const MiB = 1024 * 1024;
const FSYNC_TEST_MS = 1_000;
const FSYNC_TEST_OPS_MAX = 100_000;
const BLOB_WRITES_IN_FLIGHT = 4;

/** MD5 throughput of this process on one core, in MB/s. */
export function measureMd5(bytes: number): number {
  const chunk = randomChunk(MiB);
  const md5 = createHash('md5');
  const startMs = performance.now();
  for (let done = 0; done < bytes; done += chunk.length) md5.update(chunk);
  md5.digest();
  return megabytesPerS(Math.ceil(bytes / chunk.length) * chunk.length, performance.now() - startMs);
}

/** Sequential 1 MiB writes, each followed by fdatasync, in MB/s. */
export async function measureDiskWrites(dir: string, bytes: number): Promise<number> {
  const chunk = randomChunk(MiB);
  const handle = await open(join(dir, 'disk-ceiling.bin'), 'w');
  try {
    const startMs = performance.now();
    let written = 0;
    while (written < bytes) {
      const { bytesWritten } = await handle.write(chunk, 0, chunk.length, written);
      written += bytesWritten;
      await handle.datasync();
    }
    return megabytesPerS(written, performance.now() - startMs);
  } finally {
    await handle.close();
  }
}

/** 4 KiB writes to one place, each followed by fdatasync, per second. */
export async function measureFsyncRate(dir: string): Promise<number> {
  const block = randomChunk(4096);
  const handle = await open(join(dir, 'fsync-ceiling.bin'), 'w');
  try {
    const startMs = performance.now();
    let count = 0;
    while (count < FSYNC_TEST_OPS_MAX && performance.now() - startMs < FSYNC_TEST_MS) {
      await handle.write(block, 0, block.length, 0);
      await handle.datasync();
      count++;
    }
    return ratePerS(count, performance.now() - startMs);
  } finally {
    await handle.close();
  }
}

/**
 * 1 MiB blocks each written to a new file, fdatasync'd and closed, `inFlight` at once: the
 * pattern of Cairn's blob store (one file per block, four blocks in flight), in MB/s.
 */
export async function measureBlobWrites(
  dir: string,
  bytes: number,
  inFlight: number,
): Promise<number> {
  const chunk = randomChunk(MiB);
  const count = Math.ceil(bytes / MiB);
  let next = 0;
  const startMs = performance.now();
  const worker = async () => {
    while (next < count) {
      const handle = await open(join(dir, `blob-${next++}.bin`), 'w');
      try {
        await handle.write(chunk, 0, chunk.length, 0);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedMs = performance.now() - startMs;
  for (let n = 0; n < count; n++) await rm(join(dir, `blob-${n}.bin`), { force: true });
  return megabytesPerS(count * MiB, elapsedMs);
}

/** How much each machine measurement does; disk figures are medians of `diskRounds`. */
export interface MachinePlan {
  diskBytes: number;
  diskRounds: number;
  md5Bytes: number;
}

/** Every machine ceiling, in a temp dir of `group` (same filesystem as the data dirs). */
export async function measureMachine(
  group: ProcessGroup,
  plan: MachinePlan,
): Promise<MachineFigure[]> {
  const dir = await group.tempDir('cairn-bench-disk-');
  const sequential: number[] = [];
  const blobs: number[] = [];
  const fsyncs: number[] = [];
  for (let round = 0; round < plan.diskRounds; round++) {
    sequential.push(await measureDiskWrites(dir, plan.diskBytes));
    blobs.push(await measureBlobWrites(dir, plan.diskBytes, BLOB_WRITES_IN_FLIGHT));
    fsyncs.push(await measureFsyncRate(dir));
  }
  await rm(join(dir, 'disk-ceiling.bin'), { force: true });
  return [
    { name: 'md5-one-core', unit: 'MB/s', value: measureMd5(plan.md5Bytes) },
    { name: 'disk-append-1MiB-fdatasync', unit: 'MB/s', value: median(sequential) },
    { name: 'disk-new-file-1MiB-fdatasync-x4', unit: 'MB/s', value: median(blobs) },
    { name: 'fdatasync-4KiB', unit: 'ops/s', value: median(fsyncs) },
  ];
}
