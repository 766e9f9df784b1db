/**
 * Large values (object blocks) live in their own files beside LevelDB, so each
 * stored byte is written to disk about once, not rewritten by every LSM compaction. A blob
 * is written here but made durable by the group commit (group-commit.ts): its fdatasync and
 * its directory's fsync happen in the batch, before the LevelDB entry that references it is
 * committed. Every write is a new file (a fresh name), so a file an entry references is
 * never rewritten; the one it replaces goes after the commit. A file a crash left without a
 * reference goes at the next open (blob-intents.ts), and no read is ever torn.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CommitDisk, PendingFile } from './group-commit.js';

/** The subdirectories blob files go in: the first two hex digits of their name. */
const SUBDIRECTORIES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Blob files under one directory, named by the hash of their item key. */
export class BlobStore {
  constructor(private readonly dir: string) {}

  /**
   * A file name (relative to the store) no file has had: the hash of the item key (its
   * first two hex digits the subdirectory) and a random suffix. Each write of a key gets
   * its own file, so the file an entry references is never rewritten.
   */
  freshName(itemKey: Buffer): string {
    const hex = createHash('sha1').update(itemKey).digest('hex');
    return join(hex.slice(0, 2), `${hex.slice(2)}.${randomBytes(8).toString('hex')}`);
  }

  /**
   * Writes `value` as the new file `name` (an existing file is an error: names are fresh)
   * without syncing: the returned file goes to the group commit, which syncs it with its
   * batch.
   */
  async write(name: string, value: Buffer): Promise<PendingFile> {
    const path = join(this.dir, name);
    const { handle, madeDirs } = await this.create(path);
    try {
      let offset = 0;
      while (offset < value.length) {
        const { bytesWritten } = await handle.write(value, offset, value.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      // Nothing references a blob that failed (a full disk, most likely): give its space back
      // now rather than leave it to the orphan sweeper.
      await handle.close().catch(() => undefined);
      await rm(path, { force: true }).catch(() => undefined);
      throw error;
    }
    // Each subdirectory is made (and its entry synced) once, by prepare(), so a write syncs
    // its own subdirectory only; one that had to make it (prepare not run, or the directory
    // removed since) syncs every directory it made too.
    const dirs = new Set([dirname(path), ...madeDirs]);
    return pendingFile(handle, [...dirs]);
  }

  /**
   * Makes the store's directory and its 256 subdirectories where missing, and syncs the
   * entries it made (when `sync`): done at open, so that no write makes a directory and a
   * write's batch need sync only the subdirectory its file is in.
   */
  async prepare(sync: boolean): Promise<void> {
    const madeRoot = await mkdir(this.dir, { recursive: true });
    const present = new Set(await readdir(this.dir));
    const missing = SUBDIRECTORIES.filter((name) => !present.has(name));
    await Promise.all(missing.map((name) => mkdir(join(this.dir, name), { recursive: true })));
    if (!sync) return;
    const changed = madeRoot ? parentsUpTo(join(this.dir, 'x'), madeRoot) : [];
    if (missing.length > 0 && !madeRoot) changed.push(this.dir);
    for (const dir of changed) await fsCommitDisk.syncDir(dir);
  }

  /** The whole blob. */
  read(name: string): Promise<Buffer> {
    return readFile(join(this.dir, name));
  }

  /** A blob's size in bytes (0 when it is missing: a count, never a read, needs it). */
  async size(name: string): Promise<number> {
    return (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
  }

  /** Removes a blob; a missing one is not an error. */
  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  /**
   * Opens `path` for writing; makes its directory only when it is missing (once, mostly).
   * Returns the directories whose entries changed when it made some (each new one's parent).
   */
  private async create(path: string): Promise<{ handle: FileHandle; madeDirs: string[] }> {
    try {
      return { handle: await open(path, 'wx'), madeDirs: [] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const made = await mkdir(dirname(path), { recursive: true });
      return { handle: await open(path, 'wx'), madeDirs: made ? parentsUpTo(path, made) : [] };
    }
  }
}

/** The directories from `path`'s own up to the parent of `topMade`, the first one made. */
function parentsUpTo(path: string, topMade: string): string[] {
  const dirs: string[] = [];
  let dir = dirname(path);
  dirs.push(dir);
  while (dir !== dirname(topMade) && dir !== dirname(dir)) {
    dir = dirname(dir);
    dirs.push(dir);
  }
  return dirs;
}

function pendingFile(handle: FileHandle, dirs: readonly string[]): PendingFile {
  let closed: Promise<void> | undefined;
  return {
    dirs,
    datasync: () => handle.datasync(),
    close: () => (closed ??= handle.close()),
  };
}

/** The real disk: a directory fsync is open, fsync, close. */
export const fsCommitDisk: CommitDisk = {
  async syncDir(dir: string): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
