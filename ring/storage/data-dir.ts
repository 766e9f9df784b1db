/**
 * Opening a data dir at start-up, for the embedded store, storage nodes and stanchions
 * alike: create it, refuse one written by a newer Cairn, and prove it writable before any
 * store opens, so an operator reads one line with the path and what to do rather than a
 * LevelDB error. Each data dir holds a small format marker, `cairn-format.json`:
 * `{"format":1,"writtenBy":"0.1.0"}`. `format` changes only when the files on disk change
 * in a way an older Cairn cannot read; an older Cairn that finds a higher one refuses.
 * Data dirs made before the marker existed are of format 1 and get it on their next start.
 * It must never touch the store's own files: that is the store's job, once opened.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeDurableFile } from './durable-file.js';
import { explainStartupError, StartupError } from './startup-errors.js';

/** The layout of the files in a data dir that this code reads and writes. */
export const DATA_FORMAT = 1;

/** The marker's file name, in every data dir. */
export const FORMAT_FILE = 'cairn-format.json';

/** What the marker holds. */
export interface FormatMarker {
  /** The data format; see {@link DATA_FORMAT}. */
  format: number;
  /** The Cairn version that last wrote the marker, for messages. */
  writtenBy: string;
}

/**
 * Prepares `dir` for a program of Cairn `version` to open: creates it, refuses a marker of a
 * newer format, and writes the marker unless it already says this version (on a new data
 * dir, the first write, so an unwritable or full disk is found here). Throws a
 * {@link StartupError} that says what to do.
 */
export async function prepareDataDir(dir: string, version: string): Promise<void> {
  const path = resolve(dir);
  try {
    await mkdir(path, { recursive: true });
    const marker = await checkDataDirFormat(path, version);
    // Rewritten only when it changes: a node restarted on a full disk that LevelDB can still
    // open (reads go on, see disk-guard.ts) is not refused for want of room for the marker.
    if (marker?.format === DATA_FORMAT && marker.writtenBy === version) return;
    const next: FormatMarker = { format: DATA_FORMAT, writtenBy: version };
    await writeDurableFile(join(path, FORMAT_FILE), JSON.stringify(next) + '\n');
  } catch (error) {
    throw explainStartupError(error, path);
  }
}

/**
 * Refuses `dir` if a newer Cairn made it, writing nothing: for offline commands
 * (`cairn rekey-secrets`) as well as start-up. Returns its marker, if it has one.
 */
export async function checkDataDirFormat(
  dir: string,
  version: string,
): Promise<FormatMarker | undefined> {
  const marker = await readMarker(dir);
  if (marker) refuseNewer(dir, marker, version);
  return marker;
}

/** The marker in `dir`, or undefined when there is none (a data dir made before it). */
async function readMarker(dir: string): Promise<FormatMarker | undefined> {
  const path = join(dir, FORMAT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const marker = parseMarker(text);
  if (!marker) {
    throw new StartupError(
      `${path} is not a Cairn format marker; restore it from a backup, ` +
        `or remove it if this data dir was made by this version`,
    );
  }
  return marker;
}

/** The marker in `text`, or undefined if it is not one. */
export function parseMarker(text: string): FormatMarker | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { format, writtenBy } = value as Record<string, unknown>;
  if (!Number.isInteger(format) || (format as number) < 1) return undefined;
  if (typeof writtenBy !== 'string' || !/^[\w.+-]{1,64}$/.test(writtenBy)) return undefined;
  return { format: format as number, writtenBy };
}

/** Throws when `marker` says a newer Cairn wrote `dir`. */
export function refuseNewer(dir: string, marker: FormatMarker, version: string): void {
  if (marker.format <= DATA_FORMAT) return;
  throw new StartupError(
    `${dir} was made by Cairn ${marker.writtenBy} (data format ${marker.format}); ` +
      `this is Cairn ${version} (data format ${DATA_FORMAT}); upgrade Cairn`,
  );
}
