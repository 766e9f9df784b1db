/**
 * Disk usage of a directory tree, for tests that check what GC leaves behind.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Total bytes of the files under `dir` (0 if it does not exist). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(path) : (await stat(path)).size;
  }
  return total;
}
