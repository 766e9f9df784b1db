/**
 * What each process of the cluster costs right now, read from /proc and the disk: resident
 * memory (VmRSS), open file descriptors (entries of /proc/PID/fd) and the bytes under its
 * data dir. A process that is down (restarting) reads as missing, not as an error.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseStatusKb } from '../core/proc-parse.js';

/** One process at one moment. */
export interface ProcessSample {
  name: string;
  pid: number | null;
  rssBytes: number | null;
  fds: number | null;
  /** Null for a process with no data dir (the S3 front end). */
  dataBytes: number | null;
}

/** The PIDs in a dev cluster's pids dir, by process name (dev1, stanchion1, s3 …). */
export async function clusterPids(dir: string): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  const files = await readdir(join(dir, 'pids')).catch(() => [] as string[]);
  for (const file of files.filter((f) => f.endsWith('.pid')).sort()) {
    const pid = Number((await readFile(join(dir, 'pids', file), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0) pids.set(file.slice(0, -'.pid'.length), pid);
  }
  return pids;
}

/** Bytes of every file under `dir` (files removed while walking are skipped). */
export async function treeBytes(dir: string): Promise<number | null> {
  const entries = await readdir(dir, { recursive: true }).catch(() => null);
  if (entries === null) return null;
  let total = 0;
  for (const entry of entries) {
    const info = await lstat(join(dir, entry)).catch(() => null);
    if (info?.isFile()) total += info.size;
  }
  return total;
}

async function rssBytes(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  // A zombie has no VmRSS line: it is not running.
  if (status === null || !/^VmRSS:/m.test(status)) return null;
  return parseStatusKb(status, 'VmRSS') * 1024;
}

async function openFds(pid: number): Promise<number | null> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => null);
  return fds === null ? null : fds.length;
}

/** Samples every process of the dev cluster in `dir`. */
export async function sampleCluster(dir: string): Promise<ProcessSample[]> {
  const samples: ProcessSample[] = [];
  for (const [name, pid] of await clusterPids(dir)) {
    const rss = await rssBytes(pid);
    const hasData = name.startsWith('dev') || name.startsWith('stanchion');
    samples.push({
      name,
      pid: rss === null ? null : pid,
      rssBytes: rss,
      fds: rss === null ? null : await openFds(pid),
      dataBytes: hasData ? await treeBytes(join(dir, name)) : null,
    });
  }
  return samples;
}
