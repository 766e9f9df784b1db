/**
 * `cairn getpid` (riak-cs getpid, stanchion getpid): the programs with a data dir (start,
 * node, stanchion) write their pid to `<data dir>/cairn.pid` once they serve, and remove it
 * when they stop cleanly; getpid prints it if that process is alive, or says the node is
 * not running (exit 1), as Riak's did.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
// One name, shared with the start-up errors that report the holder of a locked data dir.
import { PID_FILE } from '../../ring/storage/startup-errors.js';

/** Writes this process's pid file under `dataDir`; returns its remover. */
export function writePidFile(dataDir: string): () => void {
  const path = join(dataDir, PID_FILE);
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}

/** The pid of the live process that wrote `dataDir`'s pid file, if any. */
export function livePid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, another user's; ESRCH: gone (a stale file after kill -9).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** Registers `getpid`. */
export function registerGetpid(program: Command): void {
  program
    .command('getpid')
    .description('print the pid of the cairn start, node or stanchion using a data dir')
    .option('--data-dir <dir>', 'its data directory (CAIRN_DATA_DIR; default ./data)')
    .action((opts: { dataDir?: string }) => {
      const pid = livePid(opts.dataDir ?? process.env.CAIRN_DATA_DIR ?? './data');
      if (pid !== undefined) return void process.stdout.write(`${pid}\n`);
      process.stdout.write('Node is not running!\n');
      process.exitCode = 1;
    });
}
