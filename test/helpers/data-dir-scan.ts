/**
 * Looks through every byte of every file under a directory (LevelDB tables and logs,
 * blob files, stanchion's log, admin.json) for given strings: what a copy of the data dir
 * would give whoever took it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every regular file under `root`. */
async function filesUnder(root: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    } else if (info.isFile()) files.push(path);
  };
  await visit(root);
  return files;
}

/** For each needle found, the files (relative to `root`) that hold it. */
export async function findInFiles(
  root: string,
  needles: readonly string[],
): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const file of await filesUnder(root)) {
    const bytes = await readFile(file);
    for (const needle of needles) {
      if (bytes.includes(Buffer.from(needle, 'utf8'))) {
        (found[needle] ??= []).push(relative(root, file));
      }
    }
  }
  return found;
}
