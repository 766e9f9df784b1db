/**
 * Disk usage of a directory tree, for tests that check what GC leaves behind.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Total bytes of the files under `dir` (0 if it does not exist). A file that a
 * running collector deletes between the listing and its stat counts as gone.
 */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(path) : await fileBytes(path);
  }
  return total;
}

async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
