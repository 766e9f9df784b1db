/**
 * Persists a node's ring state and the claimant's staged changes as small JSON files,
 * replaced through the durable-file helper (write, fsync, rename, fsync the directory), so
 * a crash leaves the old or the new state, never a torn or missing one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StagedChange } from '../core/membership.js';
import { checkRing, type Ring } from '../core/ring.js';
import { writeDurableFile } from '../storage/durable-file.js';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The ring and staged-change files of one node; writes of each file are serialised. */
export class RingStore {
  private writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  /** Queues a write of `name` after the earlier ones, so the last call's text wins. */
  private write(name: string, text: string): Promise<void> {
    const path = join(this.dir, name);
    const previous = this.writes.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => writeDurableFile(path, text));
    this.writes.set(name, next);
    return next;
  }

  async loadRing(): Promise<Ring | undefined> {
    const text = await readOptional(join(this.dir, 'ring.json'));
    if (text === undefined) return undefined;
    const ring = JSON.parse(text) as Ring;
    checkRing(ring);
    return ring;
  }

  saveRing(ring: Ring): Promise<void> {
    return this.write('ring.json', JSON.stringify(ring));
  }

  async loadStaged(): Promise<StagedChange[]> {
    const text = await readOptional(join(this.dir, 'staged.json'));
    return text === undefined ? [] : (JSON.parse(text) as StagedChange[]);
  }

  saveStaged(staged: readonly StagedChange[]): Promise<void> {
    return this.write('staged.json', JSON.stringify(staged));
  }
}
