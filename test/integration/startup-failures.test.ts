/**
 * Start-up failures of the embedded store, each one line with the path and what to do, and
 * a non-zero exit: a data dir another cairn is using (its pid named), one made by a newer
 * Cairn, one this user cannot write, one on a read-only file system, and a full one (nothing
 * free at all, and room for the format marker only). Real `cairn start` processes; the
 * read-only and full file systems are small tmpfs mounts (root, as CI runs; elsewhere those
 * tests skip and say why), and "cannot write" runs cairn as another user when root (root
 * passes every permission check) or drops the dir's write bit otherwise.
 */
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { otherUserUnavailable, refusedStart } from '../helpers/refused-start.js';
import { skipWith } from '../helpers/skip.js';
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../helpers/tmpfs.js';

const NOBODY = 65534;
const VERSION = (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version;
const dirs: string[] = [];
const mounts: Tmpfs[] = [];
const servers: CairnProcess[] = [];

afterAll(async () => {
  for (const server of servers) await server.cleanup();
  for (const mount of mounts) await mount.unmount();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-startup-'));
  dirs.push(dir);
  return dir;
}

const start = (dataDir: string) => ['start', '--port', '0', '--data-dir', dataDir];

/** Expects exactly one line on stderr, `cairn: ` + `message`, nothing on stdout, exit 1. */
function expectOneLine(refusal: { code: number; stdout: string; stderr: string }, message: RegExp) {
  expect(refusal.code, refusal.stderr).toBe(1);
  expect(refusal.stdout).toBe('');
  expect(refusal.stderr.split('\n')).toHaveLength(2);
  expect(refusal.stderr).toMatch(new RegExp(`^cairn: ${message.source}\\n$`));
}

/** Fills the tmpfs at `dir` but for `leaveBytes`, in one file. */
async function fill(dir: string, leaveBytes: number): Promise<void> {
  const file = await open(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 1);
  let written = 0;
  try {
    for (;;) written += (await file.write(chunk)).bytesWritten;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  await file.truncate(Math.max(0, written - leaveBytes));
  await file.close();
}

describe('start-up failures: the embedded store', () => {
  it('a second cairn start on a data dir in use: names its pid; the first serves on', async () => {
    const first = await startCairn();
    servers.push(first);
    const marker = JSON.parse(await readFile(join(first.dataDir, 'cairn-format.json'), 'utf8'));
    expect(marker).toEqual({ format: 1, writtenBy: VERSION });
    const second = await refusedStart(start(first.dataDir));
    const dir = first.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expectOneLine(
      second,
      new RegExp(
        `another cairn \\(pid ${first.pid}\\) is using ${dir}; ` + 'stop it or use --data-dir',
      ),
    );
    expect((await fetch(first.url)).status).toBe(403);
  });

  it('a data dir made by a newer Cairn: refused, untouched', async () => {
    const dataDir = join(await tempDir(), 'data');
    await mkdir(dataDir);
    const newer = '{"format":2,"writtenBy":"9.1.0"}\n';
    await writeFile(join(dataDir, 'cairn-format.json'), newer);
    const refusal = await refusedStart(start(dataDir));
    expectOneLine(
      refusal,
      new RegExp(
        `${dataDir} was made by Cairn 9\\.1\\.0 \\(data format 2\\); ` +
          `this is Cairn ${VERSION.replace(/\./g, '\\.')} \\(data format 1\\); upgrade Cairn`,
      ),
    );
    expect(await readdir(dataDir)).toEqual(['cairn-format.json']);
    expect(await readFile(join(dataDir, 'cairn-format.json'), 'utf8')).toBe(newer);
  });

  const asRoot = process.getuid?.() === 0;
  it(
    'a data dir this user cannot write: the path, and what to do',
    skipWith(asRoot ? otherUserUnavailable() : undefined),
    async () => {
      const parent = await tempDir();
      const dataDir = join(parent, 'data');
      await mkdir(dataDir);
      // Root: the dir stays root's, cairn runs as nobody. Otherwise: no write bit for us.
      await chmod(parent, 0o755);
      await chmod(dataDir, asRoot ? 0o755 : 0o555);
      const refusal = await refusedStart(start(dataDir), asRoot ? { asUser: NOBODY } : {});
      expectOneLine(
        refusal,
        new RegExp(
          `cannot write ${dataDir}/cairn-format\\.json: permission denied; make ${dataDir} ` +
            'writable by the user cairn runs as \\(chown -R\\), or use --data-dir',
        ),
      );
      expect(await readdir(dataDir)).toEqual([]);
    },
  );

  const noTmpfs = tmpfsUnavailable();
  it('a data dir on a read-only file system', skipWith(noTmpfs), async () => {
    const mount = await mountTmpfs(1024 * 1024);
    mounts.push(mount);
    await mkdir(join(mount.dir, 'data'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mount', ['-o', 'remount,ro', mount.dir]);
    const refusal = await refusedStart(start(join(mount.dir, 'data')));
    expectOneLine(
      refusal,
      new RegExp(
        `cannot write ${mount.dir}/data/cairn-format\\.json: read-only file system; ` +
          'remount it or use --data-dir',
      ),
    );
  });

  it('a full disk: nothing free at all', skipWith(noTmpfs), async () => {
    const mount = await mountTmpfs(256 * 1024);
    mounts.push(mount);
    await fill(mount.dir, 0);
    const dataDir = join(mount.dir, 'data');
    const refusal = await refusedStart(start(dataDir));
    expectOneLine(
      refusal,
      new RegExp(
        `cannot write ${dataDir}/cairn-format\\.json: no space left on device; ` +
          'free some space or use --data-dir',
      ),
    );
  });

  it('a full disk: room for the format marker, none for the store', skipWith(noTmpfs), async () => {
    const mount = await mountTmpfs(256 * 1024);
    mounts.push(mount);
    const dataDir = join(mount.dir, 'data');
    await mkdir(dataDir);
    await fill(mount.dir, 4096);
    const refusal = await refusedStart(start(dataDir));
    expectOneLine(
      refusal,
      new RegExp(
        `cannot (?:create|write) ${dataDir}/node\\S*: no space left on device; ` +
          'free some space or use --data-dir',
      ),
    );
    expect(JSON.parse(await readFile(join(dataDir, 'cairn-format.json'), 'utf8'))).toEqual({
      format: 1,
      writtenBy: VERSION,
    });
  });
});
