/**
 * The one way the project replaces a small file that holds durable state (ring state, the
 * admin's keys, a stanchion's identity): write a temporary file beside it, fsync it, rename
 * it over the old one, then fsync the directory so the rename itself survives a power loss.
 * A crash at any point leaves the old file or the new one, never a torn or missing one. It
 * must never write the final path directly: that is the torn write it exists to prevent.
 */
import * as fsPromises from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file-system calls the helper makes; a seam so tests can watch or fail them. */
export interface DurableFs {
  open(path: string, flags: string, mode?: number): Promise<DurableHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

/** The parts of an open file handle the helper uses. */
export interface DurableHandle {
  writeFile(data: string | Buffer): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Options of one durable write. */
export interface DurableWriteOptions {
  /** Permission bits of the new file (before the umask); 0o666 by default. */
  mode?: number;
  /** The file system; node:fs/promises by default. */
  fs?: DurableFs;
}

const nodeFs: DurableFs = fsPromises;
let tmpCounter = 0;

/** The temporary path a write of `path` uses: unique per process and write. */
export function durableTempPath(path: string): string {
  return `${path}.${process.pid}.${tmpCounter++}.tmp`;
}

/**
 * Replaces `path` with `data` durably: on return the new content and its name are on disk.
 * On failure the temporary file is removed and `path` is as it was.
 */
export async function writeDurableFile(
  path: string,
  data: string | Buffer,
  options: DurableWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const tmp = durableTempPath(path);
  try {
    const handle = await fs.open(tmp, 'w', options.mode ?? 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw withPath(error, path);
  }
  await syncDirectory(dirname(path), fs);
}

/**
 * `error` naming `path` if it names no file: a write through a file handle (ENOSPC, EIO)
 * fails without one, and a start-up message must say where (startup-errors.ts).
 */
function withPath(error: unknown, path: string): unknown {
  if (error instanceof Error && (error as NodeJS.ErrnoException).path === undefined) {
    (error as NodeJS.ErrnoException).path = path;
  }
  return error;
}

/** fsyncs a directory, so a rename or a new entry in it is durable. */
export async function syncDirectory(dir: string, fs: DurableFs = nodeFs): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
