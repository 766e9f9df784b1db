/**
 * Group commit: every durable write of a storage node (LevelDB batches and the blob files
 * their entries point at) waits in one queue, and the writes that arrive while a batch is on
 * its way to disk go together in the next one. A batch makes its blob files durable first
 * (their fdatasyncs in flight together, each directory fsync'd once), then applies every
 * LevelDB op of the batch in one synced commit; only then is any write of it acknowledged.
 * So many concurrent writes cost one LevelDB sync between them (LevelDB: ~550 synced puts/s
 * one at a time, ~8,600/s in batches of 100 here), and a blob is on disk before the entry
 * that references it. It must never acknowledge a write before its batch's syncs returned,
 * and a failed sync fails every write of its batch: none of them is known to be on disk.
 */
import type { KvBackend, KvOp } from './kv-backend.js';

/** A file written but not yet synced, whose LevelDB entry must not land before it does. */
export interface PendingFile {
  /** Flushes the file's data (fdatasync). */
  datasync(): Promise<void>;
  /** Directories whose entries for the file must be durable too (fsync'd once a batch). */
  readonly dirs: readonly string[];
  /** Releases the file; called once its batch is done, whatever the outcome. Idempotent. */
  close(): Promise<void>;
}

/** What the committer does to disk besides the LevelDB write (a seam for tests). */
export interface CommitDisk {
  /** fsyncs a directory. */
  syncDir(dir: string): Promise<void>;
}

interface Waiter {
  ops: readonly KvOp[];
  files: readonly PendingFile[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Counters of what the committer did, for tests and metrics. */
export interface CommitStats {
  /** Writes acknowledged or failed. */
  writes: number;
  /** Batches flushed (LevelDB commits). */
  batches: number;
  /** Blob fdatasyncs and directory fsyncs made. */
  fileSyncs: number;
  dirSyncs: number;
}

/** Serialises durable writes into batches; bounded by `opsPerBatchMax` LevelDB ops. */
export class GroupCommitter {
  private queue: Waiter[] = [];
  private flushing = false;
  /** Running totals; read-only for callers. */
  readonly stats: CommitStats = { writes: 0, batches: 0, fileSyncs: 0, dirSyncs: 0 };

  /**
   * `sync` false is `durability: 'none'`: writes are batched the same way, but nothing is
   * fsync'd (an OS crash may lose acknowledged writes; a process crash does not).
   */
  constructor(
    private readonly backend: KvBackend,
    private readonly sync: boolean,
    private readonly disk?: CommitDisk,
    private readonly opsPerBatchMax = 1000,
    /**
     * Runs a burst's flush once the writers that may join it have had their chance: after the
     * current turn of the event loop by default. A simulation on virtual time passes a
     * microtask, so a write never outlives the turn its timer fired in.
     */
    private readonly window: (flush: () => void) => void = (flush) => setImmediate(flush),
  ) {}

  /**
   * Resolves once `ops` are applied and, when syncing, `files` and `ops` are on disk. The
   * committer closes `files` whatever happens.
   */
  write(ops: readonly KvOp[], files: readonly PendingFile[] = []): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, files, resolve, reject });
      if (this.flushing) return;
      // The first write of a burst waits for the writes of the same turn of the event loop
      // (other requests' I/O callbacks) instead of going to disk alone.
      this.flushing = true;
      this.window(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const files = batch.flatMap((w) => w.files);
      try {
        if (this.sync) await this.syncFiles(files);
        await this.backend.write(
          batch.flatMap((w) => w.ops),
          { sync: this.sync },
        );
        this.settle(batch, undefined);
      } catch (error) {
        this.settle(batch, error ?? new Error('group commit failed'));
      } finally {
        await Promise.all(files.map((file) => file.close().catch(() => undefined)));
      }
    }
    this.flushing = false;
  }

  private settle(batch: readonly Waiter[], error: unknown): void {
    this.stats.batches++;
    this.stats.writes += batch.length;
    for (const waiter of batch) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  /** Every file's data, then every directory holding one, each once. */
  private async syncFiles(files: readonly PendingFile[]): Promise<void> {
    if (files.length === 0) return;
    // allSettled: a failed sync must not leave another still running when the batch fails.
    const synced = await Promise.allSettled(files.map((file) => file.datasync()));
    this.stats.fileSyncs += files.length;
    throwFirstFailure(synced);
    const dirs = [...new Set(files.flatMap((file) => file.dirs))];
    if (!this.disk) throw new Error('group commit: blob files need a CommitDisk to sync dirs');
    const disk = this.disk;
    const dirsSynced = await Promise.allSettled(dirs.map((dir) => disk.syncDir(dir)));
    this.stats.dirSyncs += dirs.length;
    throwFirstFailure(dirsSynced);
  }

  private takeBatch(): Waiter[] {
    let count = 0;
    let taken = 0;
    while (taken < this.queue.length && (taken === 0 || count < this.opsPerBatchMax)) {
      count += this.queue[taken]!.ops.length;
      taken++;
    }
    return this.queue.splice(0, taken);
  }
}

function throwFirstFailure(results: readonly PromiseSettledResult<void>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
