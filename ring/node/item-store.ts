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
/** An entry whose value lives in a blob file: the tag, then the file's name. */
const TAG_BLOB = 1;
/**
 * The same with the value's length (6 bytes) before the name, what every write makes now:
 * a file cut short (a damaged disk, a restore gone wrong) reads as damaged, never as a
 * shorter value.
 */
const TAG_BLOB_SIZED = 2;
const INLINE_HEAD = Buffer.from([TAG_INLINE]);
const LENGTH_BYTES = 6;

/** Whether an entry's value lives in a blob file (values there are immutable). */
export function isBlobEntry(entry: Buffer): boolean {
  return entry[0] === TAG_BLOB || entry[0] === TAG_BLOB_SIZED;
}

/** A stored blob file is missing or not the length its entry records. */
export class BlobDamagedError extends Error {
  readonly code = 'BLOB_DAMAGED';
}
/** Reads of one item whose blob file went with a write in between (a key rewritten fast). */
const READ_ATTEMPTS_MAX = 4;

/** The blob file an entry names, if it names one. */
function blobNameOf(stored: Buffer | undefined): string | undefined {
  if (stored?.[0] === TAG_BLOB) return stored.subarray(1).toString('utf8');
  if (stored?.[0] === TAG_BLOB_SIZED) return stored.subarray(1 + LENGTH_BYTES).toString('utf8');
  return undefined;
}

/** The length an entry records for its blob (entries written before it was recorded: none). */
function blobLengthOf(stored: Buffer): number | undefined {
  return stored[0] === TAG_BLOB_SIZED ? stored.readUIntBE(1, LENGTH_BYTES) : undefined;
}

function blobEntry(name: string, length: number): Buffer {
  const head = Buffer.alloc(1 + LENGTH_BYTES);
  head[0] = TAG_BLOB_SIZED;
  head.writeUIntBE(length, 1, LENGTH_BYTES);
  return Buffer.concat([head, Buffer.from(name, 'utf8')]);
}

/** For a read that skips damaged copies: undefined for one, every other error rethrown. */
export function skipDamaged(error: unknown): undefined {
  if (error instanceof BlobDamagedError) return undefined;
  throw error;
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

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
      return blobNameOf(stored) === name;
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
    return this.valueOf(key, await this.kv.get(key));
  }

  /**
   * The value of `stored`, the entry read under `key`. A write of the key may replace the
   * entry and remove its blob file between the entry's read and the file's: the entry is
   * then read again (undefined when it is gone).
   */
  private async valueOf(key: Buffer, stored: Buffer | undefined): Promise<Buffer | undefined> {
    for (let attempt = 1; stored !== undefined; attempt++) {
      try {
        return await this.decode(stored);
      } catch (error) {
        if (attempt >= READ_ATTEMPTS_MAX || !isMissingFile(error)) throw error;
      }
      const now = await this.kv.get(key);
      if (now !== undefined && now.equals(stored)) {
        throw new BlobDamagedError(`blob file ${String(blobNameOf(stored))} is missing`);
      }
      stored = now;
    }
    return undefined;
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
      await this.change(key, entry, (retire) =>
        this.committer.write([{ type: 'put', key, value: entry }, ...retire]),
      );
      return;
    }
    // A fresh file for every write, never the one the entry before names: a rewrite cut off
    // by a crash, or one whose commit fails, leaves the committed value whole, and a reader
    // never sees a file being written.
    const name = this.blobs.freshName(key);
    await this.ready();
    await this.intents.begin(name, key);
    const file = await this.blobs.write(name, value);
    const entry = blobEntry(name, value.length);
    let committed = false;
    try {
      await this.change(key, entry, async (retire) => {
        const ops: KvOp[] = [{ type: 'put', key, value: entry }, this.intents.endOp(name)];
        await this.committer.write([...ops, ...retire], [file]);
        committed = true;
      });
    } catch (error) {
      // Not committed: nothing references the file (as when its write failed).
      if (!committed) {
        await file.close().catch(() => undefined);
        await this.blobs.remove(name).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * Stores an immutable value unless the key already has a whole copy (one written here, or
   * sent before): what handoff and repairs of immutable keyspaces use, so a resent copy costs
   * no write and a damaged one never replaces a good one. Returns whether it wrote.
   */
  async putKeyIfAbsent(key: Buffer, value: Buffer): Promise<boolean> {
    const stored = await this.kv.get(key);
    if (stored !== undefined && (await this.intact(stored))) return false;
    await this.putKey(key, value);
    return true;
  }

  async delete(address: ItemAddress): Promise<void> {
    const key = keyOf(address);
    await this.change(key, undefined, (retire) =>
      this.committer.write([{ type: 'del', key }, ...retire]),
    );
  }

  /**
   * Replaces the entry of `key` with `after` (undefined: removes it) under the key's lock.
   * `commit` gets the ops that record the blob file of the entry before, if any, as one to
   * remove, to commit with the change; the file goes once it is committed (or, after a
   * crash, at the next open). Returns the entry before.
   */
  private async change(
    key: Buffer,
    after: Buffer | undefined,
    commit: (retire: KvOp[]) => Promise<void>,
  ): Promise<Buffer | undefined> {
    return this.keyLocks.with(key.toString('hex'), async () => {
      const before = await this.kv.get(key);
      const old = blobNameOf(before);
      await commit(old === undefined ? [] : [this.intents.beginOp(old, key)]);
      this.observer?.(key, before, after);
      if (old !== undefined) await this.retireBlob(old);
      return before;
    });
  }

  /** Removes a blob file no committed entry references any more, then its record. */
  private async retireBlob(name: string): Promise<void> {
    try {
      await this.blobs.remove(name);
      await this.kv.write([this.intents.endOp(name)], { sync: false });
    } catch {
      // The record stays: the next open removes the file.
    }
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
      const value = await this.valueOf(key, stored);
      if (value !== undefined) items.push({ sk: key.subarray(base.length), value });
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
      // A damaged copy is never sent: the receiver keeps its own or gets one from a replica.
      const value = await this.valueOf(key, stored).catch(skipDamaged);
      if (value === undefined) continue;
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
    const name = blobNameOf(stored);
    if (name === undefined) return stored.length - 1;
    return blobLengthOf(stored) ?? this.blobs.size(name);
  }

  /** Whether `stored` is whole: inline, or its blob file there at its recorded length. */
  private async intact(stored: Buffer): Promise<boolean> {
    const name = blobNameOf(stored);
    if (name === undefined) return true;
    const size = await this.blobs.size(name);
    const recorded = blobLengthOf(stored);
    return recorded === undefined ? size > 0 : size === recorded;
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
      const blobs = batch.flatMap(([key, stored]) => {
        const name = blobNameOf(stored);
        return name === undefined ? [] : [{ key, name }];
      });
      await this.committer.write([
        ...batch.map(([key]) => ({ type: 'del' as const, key })),
        ...blobs.map(({ key, name }) => this.intents.beginOp(name, key)),
      ]);
      for (const [key, stored] of batch) this.observer?.(key, stored, undefined);
      for (const { name } of blobs) await this.retireBlob(name);
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
    const name = blobNameOf(stored);
    if (name !== undefined) {
      const value = await this.blobs.read(name);
      const length = blobLengthOf(stored);
      if (length !== undefined && value.length !== length) {
        throw new BlobDamagedError(`blob file ${name} is ${value.length} bytes, not ${length}`);
      }
      return value;
    }
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
