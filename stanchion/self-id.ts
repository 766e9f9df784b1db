/**
 * A stanchion's stable identity, kept in its data dir: the leader record names its holder
 * by it, so a process restarted on the same data dir knows the record is its own.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurableFile } from '../ring/storage/durable-file.js';

/** Reads `dir`/stanchion-id, creating it on first use. */
export async function loadSelfId(dir: string): Promise<string> {
  const path = join(dir, 'stanchion-id');
  try {
    const id = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{16,64}$/.test(id)) return id;
  } catch {
    // First start: fall through and create it.
  }
  const id = randomBytes(8).toString('hex');
  await writeDurableFile(path, id + '\n');
  return id;
}
