/**
 * The start-up errors' diagnosis (ring/storage/startup-errors.ts) on the shapes the real
 * failures take: classic-level's "Database failed to open" with the reason in its cause
 * (LEVEL_LOCKED, or LevelDB's own "IO error: PATH: reason" text for a full or read-only
 * disk), and Node's errno errors. A full disk inside LevelDB cannot be made on demand
 * without root, so this is where that shape is checked; the integration test
 * (startup-failures.test.ts) meets the errno ones on real small file systems. And the data
 * dir's format marker (data-dir.ts): written at create time, a newer one refused, a broken
 * one named.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDataDirFormat,
  DATA_FORMAT,
  FORMAT_FILE,
  parseMarker,
  prepareDataDir,
} from '../../../ring/storage/data-dir.js';
import {
  diagnose,
  explainStartupError,
  StartupError,
  startupMessage,
} from '../../../ring/storage/startup-errors.js';

/** An error shaped as classic-level's open failure, with `cause`. */
function levelOpenError(cause: object): Error {
  return Object.assign(new Error('Database failed to open', { cause }), {
    code: 'LEVEL_DATABASE_NOT_OPEN',
  });
}

function errno(code: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

const DIR = '/srv/cairn/data';

describe('start-up errors: diagnosis', () => {
  it('a LevelDB lock held by another process, with and without its pid', () => {
    const error = levelOpenError(
      errno('LEVEL_LOCKED', `IO error: lock ${DIR}/node/leveldb/LOCK: Resource unavailable`),
    );
    const found = diagnose(error);
    expect(found).toEqual({ kind: 'locked', path: `${DIR}/node/leveldb/LOCK` });
    expect(startupMessage(found!, DIR, 1234)).toBe(
      `another cairn (pid 1234) is using ${DIR}; stop it or use --data-dir`,
    );
    expect(startupMessage(found!, DIR)).toBe(
      `another process is using ${DIR} (${DIR}/node/leveldb/LOCK is locked); ` +
        'stop it or use --data-dir',
    );
  });

  it("LevelDB's own full and read-only disk errors, by their text", () => {
    const full = levelOpenError(
      errno('LEVEL_IO_ERROR', `IO error: ${DIR}/leveldb/MANIFEST-000001: No space left on device`),
    );
    expect(explainStartupError(full, DIR).message).toBe(
      `cannot write ${DIR}/leveldb/MANIFEST-000001: no space left on device; ` +
        'free some space or use --data-dir',
    );
    const readOnly = levelOpenError(
      errno('LEVEL_IO_ERROR', `IO error: ${DIR}/leveldb/000005.log: Read-only file system`),
    );
    expect(explainStartupError(readOnly, DIR).message).toBe(
      `cannot write ${DIR}/leveldb/000005.log: read-only file system; ` +
        'remount it or use --data-dir',
    );
  });

  it("Node's errno errors: the real file of a durable write, 'create' for mkdir", () => {
    const tmp = errno('ENOSPC', 'no space', { path: `${DIR}/node/ring.json.77.3.tmp` });
    expect(diagnose(tmp)).toEqual({ kind: 'full', path: `${DIR}/node/ring.json` });
    const mkdir = errno('EACCES', 'denied', { path: DIR, syscall: 'mkdir' });
    expect(explainStartupError(mkdir, DIR).message).toBe(
      `cannot create ${DIR}: permission denied; make ${DIR} writable by the user cairn runs ` +
        'as (chown -R), or use --data-dir',
    );
    expect(diagnose(errno('EDQUOT', 'quota'))).toEqual({ kind: 'full' });
    expect(diagnose(errno('EROFS', 'ro'))).toEqual({ kind: 'read-only' });
    expect(diagnose(errno('constructor', 'an odd code'))).toBeUndefined();
  });

  it('passes anything else through unchanged, and keeps the cause', () => {
    const other = new Error('this node was created with ring_creation_size 64, not 128');
    expect(explainStartupError(other, DIR)).toBe(other);
    expect(explainStartupError('text', DIR).message).toBe('text');
    const mine = new StartupError('already explained');
    expect(explainStartupError(mine, DIR)).toBe(mine);
    const full = errno('ENOSPC', 'no space', { path: DIR });
    const explained = explainStartupError(full, DIR);
    expect(explained).toBeInstanceOf(StartupError);
    expect(explained.cause).toBe(full);
  });
});

describe('start-up errors: the format marker', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-marker-'));
    dirs.push(dir);
    return dir;
  };

  it('is written at create, at the first start of a dir without one, on upgrade', async () => {
    const dir = join(await tempDir(), 'new');
    await prepareDataDir(dir, '0.1.0');
    expect(await readdir(dir)).toEqual([FORMAT_FILE]);
    const marker = JSON.parse(await readFile(join(dir, FORMAT_FILE), 'utf8'));
    expect(marker).toEqual({ format: DATA_FORMAT, writtenBy: '0.1.0' });
    // Unchanged, it is not rewritten (a restart on a full disk needs no room for it).
    const inode = (await stat(join(dir, FORMAT_FILE))).ino;
    await prepareDataDir(dir, '0.1.0');
    expect((await stat(join(dir, FORMAT_FILE))).ino).toBe(inode);
    await prepareDataDir(dir, '0.1.1');
    expect(JSON.parse(await readFile(join(dir, FORMAT_FILE), 'utf8'))).toEqual({
      format: DATA_FORMAT,
      writtenBy: '0.1.1',
    });
  });

  it('refuses a newer format, naming both versions, and leaves the marker', async () => {
    const dir = await tempDir();
    const text = JSON.stringify({ format: DATA_FORMAT + 1, writtenBy: '0.2.0' });
    await writeFile(join(dir, FORMAT_FILE), text);
    await expect(prepareDataDir(dir, '0.1.0')).rejects.toThrow(
      new StartupError(
        `${dir} was made by Cairn 0.2.0 (data format ${DATA_FORMAT + 1}); ` +
          `this is Cairn 0.1.0 (data format ${DATA_FORMAT}); upgrade Cairn`,
      ),
    );
    expect(await readFile(join(dir, FORMAT_FILE), 'utf8')).toBe(text);
  });

  it('an offline check refuses a newer data dir and writes nothing', async () => {
    const dir = await tempDir();
    await checkDataDirFormat(dir, '0.1.0');
    expect(await readdir(dir)).toEqual([]);
    await writeFile(join(dir, FORMAT_FILE), '{"format":99,"writtenBy":"5.0.0"}');
    await expect(checkDataDirFormat(dir, '0.1.0')).rejects.toThrow(/made by Cairn 5\.0\.0/);
    expect(await readdir(dir)).toEqual([FORMAT_FILE]);
  });

  it('names a marker it cannot read rather than guessing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, FORMAT_FILE), 'not json');
    await expect(prepareDataDir(dir, '0.1.0')).rejects.toThrow(/is not a Cairn format marker/);
  });

  it('parses only well-formed markers', () => {
    expect(parseMarker('{"format":1,"writtenBy":"0.1.0"}')).toEqual({
      format: 1,
      writtenBy: '0.1.0',
    });
    for (const bad of [
      '',
      'null',
      '[]',
      '{"format":0,"writtenBy":"0.1.0"}',
      '{"format":1.5,"writtenBy":"0.1.0"}',
      '{"format":"2","writtenBy":"0.1.0"}',
      '{"format":2,"writtenBy":"0.2.0\\nforged line"}',
      `{"format":2,"writtenBy":"${'9'.repeat(65)}"}`,
    ]) {
      expect(parseMarker(bad), bad).toBeUndefined();
    }
  });
});
