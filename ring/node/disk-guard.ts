/**
 * Keeps a storage node's disk from filling up under it. LevelDB and the blob files share one
 * filesystem; a write that meets ENOSPC half-way can leave LevelDB refusing every later
 * write until it is reopened, so new data is refused while free space is below a reserve
 * (as MinIO keeps a minimum free threshold), and the space below the reserve is left for
 * what must still be written: tombstones, compactions, the stanchion log. Deletes are always
 * admitted, so an operator can make room. The filesystem is asked at most once per
 * `refreshMs`; an ENOSPC seen by a write marks the disk full at once.
 */

/** Raised (and answered as kind 'disk-full') when a write is refused for lack of space. */
export class DiskFullError extends Error {
  readonly code = 'DISK_FULL';
}

/** What the filesystem says about its free space. */
export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** The reserve kept free by default: 5 % of the filesystem, at most 1 GiB. */
export function defaultReserveBytes(totalBytes: number): number {
  return Math.min(1024 ** 3, Math.floor(totalBytes * 0.05));
}

/** Whether `error` is the filesystem (or LevelDB on its behalf) saying it is full. */
export function isDiskFullError(error: unknown): boolean {
  if (error instanceof DiskFullError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  const message = error instanceof Error ? error.message : String(error);
  return message.includes('No space left on device') || message.includes('ENOSPC');
}

/** Options of a DiskGuard. */
export interface DiskGuardOptions {
  /** Asks the filesystem (statfs). */
  probe: () => Promise<DiskSpace>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Free bytes to keep; default `defaultReserveBytes` of the filesystem's size. */
  reserveBytes?: number;
  refreshMs?: number;
}

/** Admits or refuses writes by the free space of one filesystem. */
export class DiskGuard {
  private space: DiskSpace | undefined;
  private checkedAtMs = -Infinity;
  private pending: Promise<void> | undefined;
  private fullUntilRefresh = false;

  constructor(private readonly options: DiskGuardOptions) {}

  /** Resolves when a write may go ahead; rejects with DiskFullError when it may not. */
  async admitWrite(): Promise<void> {
    const refreshMs = this.options.refreshMs ?? 1000;
    if (this.options.clock() - this.checkedAtMs >= refreshMs) await this.refresh();
    if (this.fullUntilRefresh || !this.hasRoom()) {
      throw new DiskFullError(`the disk is full: ${this.describe()}`);
    }
  }

  /** Notes a failed write; true when it failed for lack of space. */
  noteWriteError(error: unknown): boolean {
    if (!isDiskFullError(error)) return false;
    this.fullUntilRefresh = true;
    return true;
  }

  /** The free space last seen and the reserve, for messages and metrics. */
  describe(): string {
    if (!this.space) return 'free space unknown';
    const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
    return `${mib(this.space.freeBytes)} free, ${mib(this.reserve())} reserved`;
  }

  private reserve(): number {
    return this.options.reserveBytes ?? defaultReserveBytes(this.space?.totalBytes ?? 0);
  }

  private hasRoom(): boolean {
    return this.space === undefined || this.space.freeBytes > this.reserve();
  }

  private refresh(): Promise<void> {
    this.pending ??= this.options
      .probe()
      .then(
        (space) => {
          this.space = space;
          this.fullUntilRefresh = false;
        },
        // A filesystem that cannot be asked is not a reason to refuse writes: the write
        // itself will say ENOSPC if it must.
        () => undefined,
      )
      .finally(() => {
        this.checkedAtMs = this.options.clock();
        this.pending = undefined;
      });
    return this.pending;
  }
}
