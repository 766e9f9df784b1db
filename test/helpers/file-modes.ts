/**
 * Walks a directory and reports every entry whose permission bits are not the ones a data
 * dir must have: 0700 for directories, 0600 for files (so no other user on the machine can
 * read keys, records or object data).
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** One entry with the wrong mode: its path under the root and its octal mode. */
export interface ModeProblem {
  path: string;
  mode: string;
}

/** Every entry under `root` (itself included) that is not 0700 (dirs) or 0600 (files). */
export async function wrongModes(root: string): Promise<{ checked: number; wrong: ModeProblem[] }> {
  const wrong: ModeProblem[] = [];
  let checked = 0;
  const visit = async (path: string): Promise<void> => {
    const stat = await lstat(path);
    checked++;
    const mode = stat.mode & 0o777;
    const expected = stat.isDirectory() ? 0o700 : 0o600;
    if (!stat.isSymbolicLink() && mode !== expected) {
      wrong.push({ path: relative(root, path) || '.', mode: mode.toString(8) });
    }
    if (stat.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    }
  };
  await visit(root);
  return { checked, wrong };
}
