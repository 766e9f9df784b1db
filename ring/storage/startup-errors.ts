/**
 * Turns the errors a data dir can raise while a program starts (a LevelDB lock held by
 * another process, permission denied, a read-only or full file system) into one line that
 * names the path and says what to do. LevelDB reports these as "Database failed to open"
 * with the real reason in its cause, sometimes only as text ("IO error: PATH: No space left
 * on device"); this reads both. An error it does not recognise passes through unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A start-up failure whose message is the whole story: the launcher prints only it. */
export class StartupError extends Error {
  /** A stable code, as abstract-level's LEVEL_* codes. */
  readonly code = 'CAIRN_STARTUP';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The pid file the programs write in their data dir once they serve (pid-file.ts). */
export const PID_FILE = 'cairn.pid';

type Kind = 'locked' | 'denied' | 'read-only' | 'full';

/** What one failure is, and the path it names if it names one. */
interface Diagnosis {
  kind: Kind;
  path?: string;
  /** The system call that failed, when known ('mkdir' reads "cannot create"). */
  syscall?: string;
}

const TEXT_KINDS: ReadonlyArray<[RegExp, Kind]> = [
  [/No space left on device|Disk quota exceeded/i, 'full'],
  [/Read-only file system/i, 'read-only'],
  [/Permission denied|Operation not permitted/i, 'denied'],
];

const CODE_KINDS: Readonly<Record<string, Kind>> = {
  LEVEL_LOCKED: 'locked',
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'read-only',
  EACCES: 'denied',
  EPERM: 'denied',
};

/** One error of the chain, without its causes. */
function diagnoseOne(error: unknown): Diagnosis | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, path, message, syscall } = error as Record<string, unknown>;
  const text = typeof message === 'string' ? message : '';
  // LevelDB's own I/O errors read "IO error: PATH: reason" (or "IO error: lock PATH: …").
  const named = typeof path === 'string' ? path : /IO error: (?:lock )?(\/[^:]*):/.exec(text)?.[1];
  const where = {
    // A durable write fails on its temporary file (durable-file.ts): name the real one.
    ...(named ? { path: named.replace(/\.\d+\.\d+\.tmp$/, '') } : {}),
    ...(typeof syscall === 'string' ? { syscall } : {}),
  };
  const byCode =
    typeof code === 'string' && Object.hasOwn(CODE_KINDS, code) ? CODE_KINDS[code] : undefined;
  if (byCode) return { kind: byCode, ...where };
  const byText = TEXT_KINDS.find(([pattern]) => pattern.test(text));
  return byText ? { kind: byText[1], ...where } : undefined;
}

/** The first error in `error`'s cause chain that is a known start-up failure. */
export function diagnose(error: unknown): Diagnosis | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    const found = diagnoseOne(current);
    if (found) return found;
    current = (current as { cause?: unknown } | null)?.cause;
  }
  return undefined;
}

/** What the operator reads, for a diagnosis in `dataDir`; `pid` holds the lock, if known. */
export function startupMessage(found: Diagnosis, dataDir: string, pid?: number): string {
  const path = found.path ?? dataDir;
  const cannot = found.syscall === 'mkdir' ? 'cannot create' : 'cannot write';
  switch (found.kind) {
    case 'locked':
      return pid !== undefined
        ? `another cairn (pid ${pid}) is using ${dataDir}; stop it or use --data-dir`
        : `another process is using ${dataDir} (${path} is locked); ` + `stop it or use --data-dir`;
    case 'denied':
      return (
        `${cannot} ${path}: permission denied; make ${dataDir} writable by the user ` +
        `cairn runs as (chown -R), or use --data-dir`
      );
    case 'read-only':
      return `${cannot} ${path}: read-only file system; remount it or use --data-dir`;
    case 'full':
      return `${cannot} ${path}: no space left on device; free some space or use --data-dir`;
  }
}

/**
 * `error` explained as a {@link StartupError} when it is a known failure of the data dir
 * `dataDir` (its pid file names the holder of a lock); otherwise `error` itself (wrapped in
 * an Error if it is not one).
 */
export function explainStartupError(error: unknown, dataDir: string): Error {
  if (error instanceof StartupError) return error;
  const found = diagnose(error);
  if (!found) return error instanceof Error ? error : new Error(String(error));
  const pid = found.kind === 'locked' ? pidIn(dataDir) : undefined;
  return new StartupError(startupMessage(found, dataDir, pid), { cause: error });
}

/** The pid in `dataDir`'s pid file, if it names a live process. */
function pidIn(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, another user's; ESRCH: gone (a stale file after kill -9).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
