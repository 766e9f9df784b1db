/**
 * Large immutable values (object blocks) live in their own files beside LevelDB, so each
 * stored byte is written to disk about once, not rewritten by every LSM compaction. A blob
 * is durable (fdatasync) before the LevelDB entry that references it is written; a blob with
 * no reference (a crash between the two) is an orphan for the sweeper, never a torn read.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Blob files under one directory, named by the hash of their item key. */
export class BlobStore {
  constructor(
    private readonly dir: string,
    private readonly sync = true,
  ) {}

  /** The file name (relative to the store) for an item key. */
  nameFor(itemKey: Buffer): string {
    const hex = createHash('sha1').update(itemKey).digest('hex');
    return join(hex.slice(0, 2), hex.slice(2));
  }

  /** Writes and fdatasyncs `value` under `name`; replaces any earlier file of that name. */
  async write(name: string, value: Buffer): Promise<void> {
    const path = join(this.dir, name);
    await mkdir(join(path, '..'), { recursive: true });
    const handle = await open(path, 'w');
    try {
      let offset = 0;
      while (offset < value.length) {
        const { bytesWritten } = await handle.write(value, offset, value.length - offset);
        offset += bytesWritten;
      }
      if (this.sync) await handle.datasync();
    } catch (error) {
      // Nothing references a blob that failed (a full disk, most likely): give its space back
      // now rather than leave it to the orphan sweeper.
      await handle.close().catch(() => undefined);
      await rm(path, { force: true }).catch(() => undefined);
      throw error;
    }
    await handle.close();
  }

  /** The whole blob. */
  read(name: string): Promise<Buffer> {
    return readFile(join(this.dir, name));
  }

  /** Removes a blob; a missing one is not an error. */
  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }
}
