/**
 * The durable-file helper: the new content reaches the final path only by a rename of a
 * synced temporary file, the directory is synced after it, and a failure anywhere before
 * the rename leaves the old file as it was and no temporary file behind.
 */
import * as fsPromises from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  writeDurableFile,
  type DurableFs,
  type DurableHandle,
} from '../../../ring/storage/durable-file.js';

/** A real file system that records every call, and can fail one kind of call. */
function recordingFs(failOn?: 'writeFile' | 'sync' | 'rename') {
  const calls: string[] = [];
  const wrap = (path: string, handle: DurableHandle): DurableHandle => ({
    async writeFile(data) {
      calls.push(`write ${path}`);
      await handle.writeFile(data);
      if (failOn === 'writeFile') throw new Error('ENOSPC (simulated)');
    },
    async sync() {
      calls.push(`sync ${path}`);
      if (failOn === 'sync') throw new Error('EIO (simulated)');
      await handle.sync();
    },
    close: () => handle.close(),
  });
  const fs: DurableFs = {
    async open(path, flags, mode) {
      calls.push(`open ${path} ${flags}`);
      return wrap(path, await fsPromises.open(path, flags, mode));
    },
    async rename(from, to) {
      calls.push(`rename ${from} -> ${to}`);
      if (failOn === 'rename') throw new Error('crash before rename (simulated)');
      await fsPromises.rename(from, to);
    },
    rm: (path, options) => fsPromises.rm(path, options),
  };
  return { fs, calls };
}

describe('durable file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-durable-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a temp file, syncs it, renames it over the file, syncs the directory', async () => {
    const path = join(dir, 'ring.json');
    const { fs, calls } = recordingFs();
    await writeDurableFile(path, '{"epoch":2}', { fs });
    expect(await readFile(path, 'utf8')).toBe('{"epoch":2}');
    const tmp = calls[0]!.split(' ')[1]!;
    expect(tmp).not.toBe(path);
    expect(tmp.startsWith(`${path}.`)).toBe(true);
    expect(calls).toEqual([
      `open ${tmp} w`,
      `write ${tmp}`,
      `sync ${tmp}`,
      `rename ${tmp} -> ${path}`,
      `open ${dir} r`,
      `sync ${dir}`,
    ]);
    // Nothing but the final file is left.
    expect(await readdir(dir)).toEqual(['ring.json']);
  });

  it('never opens the final path for writing (a crash mid-write cannot tear it)', async () => {
    const path = join(dir, 'admin.json');
    const { fs, calls } = recordingFs();
    for (let i = 0; i < 3; i++) await writeDurableFile(path, `v${i}`, { fs });
    const written = calls.filter((c) => c.startsWith('open ') && c.endsWith(' w'));
    expect(written).toHaveLength(3);
    for (const call of written) expect(call).not.toBe(`open ${path} w`);
    expect(new Set(written).size).toBe(3);
  });

  for (const failOn of ['writeFile', 'sync', 'rename'] as const) {
    it(`keeps the old file intact when the ${failOn} step fails`, async () => {
      const path = join(dir, 'ring.json');
      await writeFile(path, 'old');
      const { fs, calls } = recordingFs(failOn);
      await expect(writeDurableFile(path, 'new', { fs })).rejects.toThrow(/simulated/);
      expect(await readFile(path, 'utf8')).toBe('old');
      expect(await readdir(dir)).toEqual(['ring.json']);
      expect(calls.some((c) => c === `open ${dir} r`)).toBe(false);
    });
  }

  it('creates the file with the mode asked for', async () => {
    const path = join(dir, 'admin.json');
    await writeDurableFile(path, 'secret', { mode: 0o600 });
    expect((await stat(path)).mode & 0o077).toBe(0);
  });
});
