import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ItemStore } from '../../ring/node/item-store.js';
import { memoryBackend } from '../../ring/storage/memory-backend.js';

/** Set by test/setup/scratch-root.ts for the run; read by the test workers. */
export const SCRATCH_ROOT_VARIABLE = 'CAIRN_SCRATCH_ROOT';

/**
 * A path no other test uses, under the run's scratch root (removed when the run ends), or
 * under the OS temp directory when a file runs outside vitest's set-up.
 */
export function scratchDir(label: string): string {
  const root = process.env[SCRATCH_ROOT_VARIABLE] ?? tmpdir();
  return join(root, `cairn-${label}-${randomUUID()}`);
}

/** scratchDir, made (for files a test module sets up at load). */
export function madeScratchDir(label: string): string {
  const dir = scratchDir(label);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * An unsynced ItemStore on the memory backend, its blob directory in a scratch path. The
 * simulations pass `queueMicrotask` as the batch window: a write completes within the turn
 * its timer fired in, so virtual time stays exact.
 */
export function memoryItemStore(
  label: string,
  batchWindow?: (flush: () => void) => void,
): ItemStore {
  return new ItemStore(memoryBackend(), scratchDir(label), { sync: false, batchWindow });
}
