/**
 * Blob files a crash left behind. A large value's blob file exists on disk before the entry
 * that references it is committed (group-commit.ts); a process killed in between leaves a
 * file no entry names, which nothing would ever remove: the orphan sweeper walks entries,
 * and a file's name (a hash of its key and a random suffix) does not say whose it was. So
 * an intent record naming the file and its item key is written (unsynced: a process crash
 * keeps it, and the file is no more durable than it) before the file is created, and
 * deleted in the same atomic batch that commits the entry. The same record, committed with
 * a rewrite or delete, names the file the entry stops referencing, until it is removed. At
 * open, every record still there names a file of a write that never committed or one
 * replaced: unless the key's entry references that file, the file is removed. Never
 * removes a file an entry references.
 */
import type { KvBackend, KvOp } from '../storage/kv-backend.js';
import { prefixEnd } from '../storage/item-key.js';

const INTENT_PREFIX = 'blob-intent/';

/** The intent records of one ItemStore's blob files, under its metadata keys. */
export class BlobIntents {
  constructor(
    private readonly kv: KvBackend,
    private readonly metaKey: (name: string) => Buffer,
  ) {}

  /** Records that `name` is about to be written for `itemKey` (before the file exists). */
  async begin(name: string, itemKey: Buffer): Promise<void> {
    await this.kv.write([this.beginOp(name, itemKey)], { sync: false });
  }

  /**
   * The op that records `name` as a file of `itemKey` that may be left behind: committed
   * with the change that stops the key's entry referencing it (a rewrite, a delete), it
   * lets the next open remove a file the process died before removing.
   */
  beginOp(name: string, itemKey: Buffer): KvOp {
    return { type: 'put', key: this.keyOf(name), value: itemKey };
  }

  /** The op that retires the intent; it goes in the batch that commits the entry. */
  endOp(name: string): KvOp {
    return { type: 'del', key: this.keyOf(name) };
  }

  /**
   * Resolves every intent left by a crash: `referenced(itemKey, name)` says whether the
   * committed entry of `itemKey` points at `name`; files that are not referenced are given
   * to `remove`. Returns how many files were removed.
   */
  async recover(
    referenced: (itemKey: Buffer, name: string) => Promise<boolean>,
    remove: (name: string) => Promise<void>,
  ): Promise<number> {
    const start = this.keyOf('');
    const end = prefixEnd(start);
    let removed = 0;
    for (;;) {
      const page = await this.kv.range({ gte: start, ...(end ? { lt: end } : {}), limit: 500 });
      if (page.length === 0) return removed;
      for (const [key, itemKey] of page) {
        const name = key.subarray(start.length).toString('utf8');
        if (!(await referenced(itemKey, name))) {
          await remove(name);
          removed++;
        }
      }
      await this.kv.write(
        page.map(([key]) => ({ type: 'del' as const, key })),
        { sync: true },
      );
    }
  }

  private keyOf(name: string): Buffer {
    return this.metaKey(INTENT_PREFIX + name);
  }
}
