/**
 * A storage node's items on disk: LevelDB for keys and small values, blob files for large
 * ones, one synced group commit for every acknowledged write. A large value's blob is on
 * disk before the entry that points at it, so a reader never sees a torn value.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BlobStore, fsCommitDisk } from '../storage/blob-store.js';
import { GroupCommitter, type CommitStats } from '../storage/group-commit.js';
import type { KvBackend, KvOp } from '../storage/kv-backend.js';
import {
  itemKey,
  itemPrefix,
  keyspacePrefix,
  parseItemKey,
  prefixEnd,
} from '../storage/item-key.js';
import type { PartitionMeasure } from '../core/transfer-progress.js';
import type { HandoffItem } from '../transport/messages.js';
import { BlobIntents } from './blob-intents.js';
import { KeyedLocks } from './partition-locks.js';

/** Values larger than this go to blob files; smaller ones stay inside LevelDB. */
export const INLINE_BYTES_MAX = 64 * 1024;

const TAG_INLINE = 0;
/** The tag of an entry whose value lives in a blob file. */
export const TAG_BLOB = 1;
const INLINE_HEAD = Buffer.from([TAG_INLINE]);
const BLOB_HEAD = Buffer.from([TAG_BLOB]);

/** Addresses one item on this node. */
export interface ItemAddress {
  partition: number;
  keyspace: string;
  pk: Buffer;
  sk: Buffer;
}

/** One item of a scan. */
export interface ScanItem {
  sk: Buffer;
  value: Buffer;
}

/** Options of a range read over one partition key. */
export interface ScanOptions {
  /** Only sort keys strictly after this one. */
  after?: Buffer;
  /** Only sort keys starting with these bytes. */
  prefix?: Buffer;
  limit: number;
}

/** Durable items of one storage node. */
export class ItemStore {
  private readonly committer: GroupCommitter;
  private readonly keyLocks = new KeyedLocks<string>();
  private observer: EntryObserver | undefined;
  private readonly epochs = new Map<number, string>();
  private readonly blobs: BlobStore;
  private readonly intents: BlobIntents;
  private recovery: Promise<void> | undefined;
  private readonly sync: boolean;

  constructor(
    private readonly kv: KvBackend,
    blobDir: string,
    options: { sync: boolean; batchWindow?: (flush: () => void) => void },
  ) {
    this.sync = options.sync;
    this.committer = new GroupCommitter(
      kv,
      options.sync,
      fsCommitDisk,
      undefined,
      options.batchWindow,
    );
    this.blobs = new BlobStore(join(blobDir));
    this.intents = new BlobIntents(kv, metaKey);
    // Blob files a crash left without an entry go at once; large writes wait for it.
    void this.ready().catch(() => undefined);
  }

  /**
   * Resolves once the blob files an earlier crash left unreferenced are removed and the blob
   * directories exist.
   */
  ready(): Promise<void> {
    return (this.recovery ??= this.recoverBlobs());
  }

  private recoverBlobs(): Promise<void> {
    const referenced = async (itemKey: Buffer, name: string) => {
      const stored = await this.kv.get(itemKey);
      return stored?.[0] === TAG_BLOB && stored.subarray(1).toString('utf8') === name;
    };
    const attempt = this.intents
      .recover(referenced, (name) => this.blobs.remove(name))
      .then(() => this.blobs.prepare(this.sync));
    // A failed attempt (a closing store, a disk error) is tried again by the next writer.
    attempt.catch(() => {
      if (this.recovery === attempt) this.recovery = undefined;
    });
    return attempt;
  }

  /** What the group commit did so far (writes, batches, blob and directory syncs). */
  get commitStats(): Readonly<CommitStats> {
    return this.committer.stats;
  }

  async get(address: ItemAddress): Promise<Buffer | undefined> {
    return this.getKey(keyOf(address));
  }

  /** The value stored under a full item key (as exportPartition gives them). */
  async getKey(key: Buffer): Promise<Buffer | undefined> {
    const stored = await this.kv.get(key);
    if (stored === undefined) return undefined;
    return this.decode(stored);
  }

  async put(address: ItemAddress, value: Buffer): Promise<void> {
    await this.putKey(keyOf(address), value);
  }

  /**
   * Calls `observer` after every change of an item with its stored entry before and after
   * (undefined when absent): what anti-entropy hashes. Changes of one key are serialised
   * while an observer is set, so it sees them in order.
   */
  observe(observer: EntryObserver): void {
    this.observer = observer;
  }

  /**
   * Stores a value under a full item key. A large value's blob file is synced in the same
   * group commit as its entry, before the entry.
   */
  async putKey(key: Buffer, value: Buffer): Promise<void> {
    if (value.length <= INLINE_BYTES_MAX) {
      const entry = Buffer.concat([INLINE_HEAD, value]);
      await this.change(
        key,
        () => this.committer.write([{ type: 'put', key, value: entry }]),
        entry,
      );
      return;
    }
    const name = this.blobs.nameFor(key);
    await this.ready();
    await this.intents.begin(name, key);
    const file = await this.blobs.write(name, value);
    const entry = Buffer.concat([BLOB_HEAD, Buffer.from(name, 'utf8')]);
    const ops: KvOp[] = [{ type: 'put', key, value: entry }, this.intents.endOp(name)];
    try {
      await this.change(key, () => this.committer.write(ops, [file]), entry);
    } catch (error) {
      // Not committed: nothing references the file (as when its write failed).
      await file.close().catch(() => undefined);
      await this.blobs.remove(name).catch(() => undefined);
      throw error;
    }
  }

  async delete(address: ItemAddress): Promise<void> {
    const key = keyOf(address);
    const stored = await this.change(key, () => this.committer.write([{ type: 'del', key }]));
    if (stored !== undefined && stored[0] === TAG_BLOB) {
      await this.blobs.remove(stored.subarray(1).toString('utf8'));
    }
  }

  /** Runs `write` (which leaves `after` stored under `key`); returns the entry before. */
  private async change(key: Buffer, write: () => Promise<void>, after?: Buffer) {
    const observer = this.observer;
    if (!observer) {
      // Only a delete needs the entry before (to remove its blob); a put writes blind.
      const before = after === undefined ? await this.kv.get(key) : undefined;
      await write();
      return before;
    }
    return this.keyLocks.with(key.toString('hex'), async () => {
      const before = await this.kv.get(key);
      await write();
      observer(key, before, after);
      return before;
    });
  }

  async scan(address: Omit<ItemAddress, 'sk'>, options: ScanOptions): Promise<ScanItem[]> {
    const base = itemPrefix(address.partition, address.keyspace, address.pk);
    const start = Buffer.concat([base, options.prefix ?? Buffer.alloc(0)]);
    const end = prefixEnd(start);
    const after = options.after ? Buffer.concat([base, options.after]) : undefined;
    const useAfter = after !== undefined && Buffer.compare(after, start) >= 0;
    const entries = await this.kv.range({
      ...(useAfter ? { gt: after } : { gte: start }),
      ...(end ? { lt: end } : {}),
      limit: options.limit,
    });
    const items: ScanItem[] = [];
    for (const [key, stored] of entries) {
      items.push({ sk: key.subarray(base.length), value: await this.decode(stored) });
    }
    return items;
  }

  /**
   * The distinct partition keys of `keyspace` stored in `partition`, in order, after
   * `afterPk`: a partition key with many items costs one seek past them, not a walk.
   */
  async partitionKeys(
    partition: number,
    keyspace: string,
    afterPk: Buffer | undefined,
    limit: number,
  ): Promise<Buffer[]> {
    const base = keyspacePrefix(partition, keyspace);
    const end = prefixEnd(base);
    const keys: Buffer[] = [];
    let from = afterPk ? prefixEnd(itemPrefix(partition, keyspace, afterPk)) : base;
    while (from && keys.length < limit) {
      const [entry] = await this.kv.range({ gte: from, ...(end ? { lt: end } : {}), limit: 1 });
      if (!entry) break;
      const pk = Buffer.from(parseItemKey(entry[0]).pk);
      keys.push(pk);
      from = prefixEnd(itemPrefix(partition, keyspace, pk));
    }
    return keys;
  }

  /**
   * Items of one partition in key order after `afterKey`, up to `itemsMax` items or about
   * `bytesMax` bytes: what handoff sends, one batch at a time.
   */
  async exportPartition(
    partition: number,
    afterKey: Buffer | undefined,
    limits: { itemsMax: number; bytesMax: number },
  ): Promise<PartitionItem[]> {
    const start = partitionStart(partition);
    const entries = await this.kv.range({
      ...(afterKey ? { gt: afterKey } : { gte: start }),
      lt: partitionStart(partition + 1),
      limit: limits.itemsMax,
    });
    const items: PartitionItem[] = [];
    let bytes = 0;
    for (const [key, stored] of entries) {
      const value = await this.decode(stored);
      items.push({ key, value });
      bytes += key.length + value.length;
      if (bytes >= limits.bytesMax) break;
    }
    return items;
  }

  /** Raw stored entries of one partition after `afterKey` (no blob reads): for AAE. */
  async entries(partition: number, afterKey: Buffer | undefined, limit: number) {
    return this.kv.range({
      ...(afterKey ? { gt: afterKey } : { gte: partitionStart(partition) }),
      lt: partitionStart(partition + 1),
      limit,
    });
  }

  /** Stores items exported by another node's exportPartition (their keys as they are). */
  async importItems(items: readonly PartitionItem[]): Promise<void> {
    await Promise.all(items.map((item) => this.putKey(item.key, item.value)));
  }

  /**
   * Items and bytes (keys and values, as handoff counts what it sends) of `partition`, and
   * how many of them lie at or before `checkpoint`: what a resumed transfer already sent.
   * A key walk with a file size per blob; no value is read.
   */
  async measurePartition(partition: number, checkpoint?: Buffer): Promise<PartitionMeasure> {
    const measure = { items: 0, bytes: 0, itemsBefore: 0, bytesBefore: 0 };
    let after: Buffer | undefined;
    for (;;) {
      const page = await this.entries(partition, after, 1000);
      for (const [key, stored] of page) {
        const size = await this.storedSize(stored);
        measure.items += 1;
        measure.bytes += key.length + size;
        if (checkpoint && Buffer.compare(key, checkpoint) <= 0) {
          measure.itemsBefore += 1;
          measure.bytesBefore += key.length + size;
        }
      }
      if (page.length < 1000) return measure;
      after = page.at(-1)![0];
    }
  }

  private async storedSize(stored: Buffer): Promise<number> {
    if (stored[0] !== TAG_BLOB) return stored.length - 1;
    return this.blobs.size(stored.subarray(1).toString('utf8'));
  }

  /** Whether this node holds any item of `partition`. */
  async holdsPartition(partition: number): Promise<boolean> {
    const first = await this.kv.range({
      gte: partitionStart(partition),
      lt: partitionStart(partition + 1),
      limit: 1,
    });
    return first.length > 0;
  }

  /** Removes every item of a partition this node no longer serves; returns how many. */
  async dropPartition(partition: number): Promise<number> {
    let dropped = 0;
    for (;;) {
      const batch = await this.kv.range({
        gte: partitionStart(partition),
        lt: partitionStart(partition + 1),
        limit: 500,
      });
      if (batch.length === 0) {
        this.epochs.delete(partition);
        await this.putMeta(`vnode-epoch/${partition}`, undefined);
        return dropped;
      }
      await this.committer.write(batch.map(([key]) => ({ type: 'del' as const, key })));
      for (const [key, stored] of batch) {
        this.observer?.(key, stored, undefined);
        if (stored[0] === TAG_BLOB) await this.blobs.remove(stored.subarray(1).toString('utf8'));
      }
      dropped += batch.length;
    }
  }

  /**
   * This data directory's actor id for version vectors: the node name and a random suffix
   * made when the directory was created. A wiped directory gets a new one, so the node can
   * never reuse a dot that other replicas have already seen.
   */
  async actorId(nodeId: string, randomSuffix: () => string): Promise<string> {
    const saved = await this.getMeta('actor');
    if (saved) return saved.toString('utf8');
    const actor = `${nodeId}/${randomSuffix()}`;
    await this.putMeta('actor', Buffer.from(actor, 'utf8'));
    return actor;
  }

  /**
   * The incarnation of this node's copy of `partition`: made when the copy first holds
   * data, replaced whenever the copy is dropped. Version-vector actors include it, so a
   * copy that forgot its history (dropped, then rebuilt) can never reuse a dot.
   */
  async vnodeEpoch(partition: number): Promise<string> {
    const cached = this.epochs.get(partition);
    if (cached) return cached;
    const name = `vnode-epoch/${partition}`;
    const saved = (await this.getMeta(name))?.toString('utf8');
    const epoch = saved ?? randomBytes(3).toString('hex');
    if (!saved) await this.putMeta(name, Buffer.from(epoch, 'utf8'));
    this.epochs.set(partition, epoch);
    return epoch;
  }

  /** Node-local metadata (handoff checkpoints), outside every partition. */
  async getMeta(name: string): Promise<Buffer | undefined> {
    return this.kv.get(metaKey(name));
  }

  async putMeta(name: string, value: Buffer | undefined): Promise<void> {
    const key = metaKey(name);
    await this.committer.write([value ? { type: 'put', key, value } : { type: 'del', key }]);
  }

  private async decode(stored: Buffer): Promise<Buffer> {
    if (stored[0] === TAG_INLINE) return stored.subarray(1);
    if (stored[0] === TAG_BLOB) return this.blobs.read(stored.subarray(1).toString('utf8'));
    throw new Error(`corrupt item entry: unknown tag ${stored[0]}`);
  }
}

/** One item as handoff moves it: its full on-disk key and its value. */
export type PartitionItem = HandoffItem;

/** Told of every item change: the full key and the stored entries before and after. */
export type EntryObserver = (key: Buffer, before?: Buffer, after?: Buffer) => void;

/** Partition numbers are u16 in keys; Q is at most 1024, so 0xffff is free for metadata. */
const META_PARTITION = 0xffff;

function partitionStart(partition: number): Buffer {
  const key = Buffer.alloc(2);
  key.writeUInt16BE(partition, 0);
  return key;
}

function metaKey(name: string): Buffer {
  return Buffer.concat([partitionStart(META_PARTITION), Buffer.from(name, 'utf8')]);
}

function keyOf(address: ItemAddress): Buffer {
  return itemKey(address.partition, address.keyspace, address.pk, address.sk);
}
