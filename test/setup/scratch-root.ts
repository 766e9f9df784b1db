/**
 * vitest globalSetup: one scratch directory for the whole run, removed when it ends. Stores
 * the tests build on the memory backend still make their blob directories (256 of them, at
 * open); under this root they go with the run instead of piling up in /tmp.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCRATCH_ROOT_VARIABLE } from '../helpers/scratch-dir.js';

export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-test-run-'));
  // The test workers are forked after this and inherit it.
  process.env[SCRATCH_ROOT_VARIABLE] = root;
  return () => rm(root, { recursive: true, force: true });
}
