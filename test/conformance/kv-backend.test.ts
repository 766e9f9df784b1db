/**
 * One suite, run against every KvBackend (in-memory and LevelDB), as abstract-level's
 * suite is run by classic-level: the simulator and production must agree on semantics.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KvBackend } from '../../ring/storage/kv-backend.js';
import { openLevelBackend } from '../../ring/storage/leveldb-backend.js';
import { memoryBackend } from '../../ring/storage/memory-backend.js';
import { BlobDamagedError, ItemStore, INLINE_BYTES_MAX } from '../../ring/node/item-store.js';
import { BlobIntents } from '../../ring/node/blob-intents.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import { BlobStore } from '../../ring/storage/blob-store.js';
import { itemKey } from '../../ring/storage/item-key.js';

const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-kv-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const backends: Array<[string, () => Promise<KvBackend>]> = [
  ['memory', async () => memoryBackend()],
  ['leveldb', async () => openLevelBackend(await tempDir())],
  [
    'leveldb, thread-pool reads',
    async () => openLevelBackend(await tempDir(), { syncReads: false }),
  ],
];

const b = (s: string) => Buffer.from(s);

describe.each(backends)('KvBackend conformance (%s)', (_name, open) => {
  it('gets what was put, and nothing after a delete', async () => {
    const kv = await open();
    expect(await kv.get(b('k'))).toBeUndefined();
    await kv.write([{ type: 'put', key: b('k'), value: b('v') }], { sync: true });
    expect(await kv.get(b('k'))).toEqual(b('v'));
    await kv.write([{ type: 'del', key: b('k') }], { sync: false });
    expect(await kv.get(b('k'))).toBeUndefined();
    await kv.close();
  });

  it('applies a batch in order and ranges in byte order with bounds and limits', async () => {
    const kv = await open();
    await kv.write(
      [
        { type: 'put', key: b('c'), value: b('3') },
        { type: 'put', key: b('a'), value: b('1') },
        { type: 'put', key: Buffer.from([0x62, 0xff]), value: b('2') },
        { type: 'del', key: b('c') },
        { type: 'put', key: b('d'), value: b('4') },
      ],
      { sync: true },
    );
    const all = await kv.range({ limit: 10 });
    expect(all.map(([k]) => k)).toEqual([b('a'), Buffer.from([0x62, 0xff]), b('d')]);
    expect((await kv.range({ gt: b('a'), limit: 1 })).map(([, v]) => String(v))).toEqual(['2']);
    expect((await kv.range({ gte: b('a'), lt: b('d'), limit: 10 })).length).toBe(2);
    await kv.close();
  });
});

describe('ItemStore', () => {
  it('keeps small values inline and large ones in blob files, and scans in order', async () => {
    const dir = await tempDir();
    const kv = await openLevelBackend(join(dir, 'db'));
    const store = new ItemStore(kv, join(dir, 'blobs'), { sync: true });
    const addr = (sk: string) => ({ partition: 1, keyspace: 'ks', pk: b('pk'), sk: b(sk) });
    const big = Buffer.alloc(INLINE_BYTES_MAX + 1, 9);
    await Promise.all([store.put(addr('b'), big), store.put(addr('a'), b('small'))]);
    expect(await store.get(addr('a'))).toEqual(b('small'));
    expect((await store.get(addr('b')))!.equals(big)).toBe(true);
    const scanned = await store.scan({ partition: 1, keyspace: 'ks', pk: b('pk') }, { limit: 10 });
    expect(scanned.map((i) => String(i.sk))).toEqual(['a', 'b']);
    const other = await store.scan({ partition: 1, keyspace: 'ks', pk: b('pk2') }, { limit: 10 });
    expect(other).toEqual([]);
    await store.delete(addr('b'));
    expect(await store.get(addr('b'))).toBeUndefined();
    await kv.close();
  });

  it('syncs blobs in the group commit of their entries; a failed commit leaves none', async () => {
    const dir = await tempDir();
    const kv = await openLevelBackend(join(dir, 'db'));
    const store = new ItemStore(kv, join(dir, 'blobs'), { sync: true });
    const addr = (sk: string) => ({ partition: 2, keyspace: 'ks', pk: b('pk'), sk: b(sk) });
    const values = Array.from({ length: 12 }, (_, i) => Buffer.alloc(INLINE_BYTES_MAX + 1 + i, i));
    await Promise.all(values.map((value, i) => store.put(addr(`k${i}`), value)));
    for (const [i, value] of values.entries()) {
      expect((await store.get(addr(`k${i}`)))!.equals(value)).toBe(true);
    }
    const stats = store.commitStats;
    expect(stats.fileSyncs).toBe(12);
    expect(stats.batches).toBeLessThanOrEqual(12);
    expect(stats.dirSyncs).toBeGreaterThan(0);
    await kv.close();

    const failing = memoryBackend();
    const unsynced = failing.write.bind(failing);
    // The commit fails (its sync); the blob's intent record, written unsynced, does not.
    failing.write = async (ops, options) => {
      if (options.sync) throw new Error('EIO: injected');
      await unsynced(ops, options);
    };
    const broken = new ItemStore(failing, join(dir, 'blobs2'), { sync: true });
    await expect(broken.put(addr('x'), values[0]!)).rejects.toThrow('EIO: injected');
    const left = await readdir(join(dir, 'blobs2'), { recursive: true, withFileTypes: true });
    expect(left.filter((entry) => entry.isFile())).toEqual([]);
  });

  it('at open, removes blob files a crash left uncommitted, keeps referenced ones', async () => {
    const dir = await tempDir();
    const kv = await openLevelBackend(join(dir, 'db'));
    const blobDir = join(dir, 'blobs');
    const first = new ItemStore(kv, blobDir, { sync: true });
    const kept = { partition: 3, keyspace: 'ks', pk: b('pk'), sk: b('kept') };
    const big = Buffer.alloc(INLINE_BYTES_MAX + 1, 5);
    await first.put(kept, big);
    // A crash between a blob file's write and its commit, as ItemStore leaves it: the intent
    // and the file (cut short), no entry. Also a rewrite of `kept` cut off the same way: its
    // new file is not the one the committed entry names.
    const intents = new BlobIntents(kv, blobMetaKey);
    const blobs = new BlobStore(blobDir);
    const lostKey = itemKey(3, 'ks', b('pk'), b('lost'));
    const keptKey = itemKey(3, 'ks', b('pk'), b('kept'));
    for (const key of [lostKey, keptKey]) {
      const name = blobs.freshName(key);
      await intents.begin(name, key);
      await (await blobs.write(name, big.subarray(0, 1000))).close();
    }
    expect(await blobFiles(blobDir)).toHaveLength(3);
    const reopened = new ItemStore(kv, blobDir, { sync: true });
    await reopened.ready();
    expect(await blobFiles(blobDir)).toEqual([committedName(await kv.get(keptKey))]);
    expect((await reopened.get(kept))!.equals(big)).toBe(true);
    await kv.close();
  });

  it('a rewrite or delete leaves the file the committed entry names until it commits', async () => {
    const dir = await tempDir();
    const kv = await openLevelBackend(join(dir, 'db'));
    const blobDir = join(dir, 'blobs');
    const store = new ItemStore(kv, blobDir, { sync: true });
    const at = { partition: 4, keyspace: 'ks', pk: b('pk'), sk: b('k') };
    const key = itemKey(4, 'ks', b('pk'), b('k'));
    const first = Buffer.alloc(INLINE_BYTES_MAX + 10, 1);
    const second = Buffer.alloc(INLINE_BYTES_MAX + 20, 2);
    await store.put(at, first);
    const firstName = committedName(await kv.get(key));

    // Readers racing rewrites see one whole value or the other, never a file being written.
    const reads: Promise<Buffer | undefined>[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(store.put(at, i % 2 ? first : second));
      reads.push(store.get(at));
    }
    await Promise.all(writes);
    for (const value of await Promise.all(reads)) {
      expect(value!.equals(first) || value!.equals(second)).toBe(true);
    }
    // One write was committed last (not necessarily the last begun); every file it replaced
    // is gone.
    const final = (await store.get(at))!;
    expect(final.equals(first) || final.equals(second)).toBe(true);
    expect(await blobFiles(blobDir)).toEqual([committedName(await kv.get(key))]);
    expect(committedName(await kv.get(key))).not.toBe(firstName);

    // A rewrite whose commit fails leaves the committed value and its file as they were.
    const committed = committedName(await kv.get(key));
    const failing = new ItemStore(failOnSync(kv), blobDir, { sync: true });
    await expect(failing.put(at, Buffer.alloc(INLINE_BYTES_MAX + 30, 3))).rejects.toThrow(
      'EIO: injected',
    );
    expect(await blobFiles(blobDir)).toEqual([committed]);
    expect((await store.get(at))!.equals(final)).toBe(true);

    // A process that dies after committing a rewrite, before removing the file it replaced:
    // the record committed with the rewrite lets the next open remove it.
    const intents = new BlobIntents(kv, blobMetaKey);
    const orphan = new BlobStore(blobDir).freshName(key);
    await (await new BlobStore(blobDir).write(orphan, first)).close();
    await kv.write([intents.beginOp(orphan, key)], { sync: true });
    const reopened = new ItemStore(kv, blobDir, { sync: true });
    await reopened.ready();
    expect(await blobFiles(blobDir)).toEqual([committed]);

    await reopened.delete(at);
    expect(await blobFiles(blobDir)).toEqual([]);
    expect(await reopened.get(at)).toBeUndefined();
    await kv.close();
  });
});

describe('ItemStore with a damaged blob file', () => {
  const at = { partition: 5, keyspace: 'blocks', pk: b('pk'), sk: b('k') };
  const key = itemKey(5, 'blocks', b('pk'), b('k'));
  const value = Buffer.alloc(INLINE_BYTES_MAX + 100, 7);

  async function damagedStore() {
    const dir = await tempDir();
    const kv = await openLevelBackend(join(dir, 'db'));
    const store = new ItemStore(kv, join(dir, 'blobs'), { sync: false });
    await store.put(at, value);
    const file = join(dir, 'blobs', committedName(await kv.get(key)));
    await truncate(file, 1000);
    return { kv, store, file };
  }

  it('reads as damaged, never as a shorter value, and is never exported', async () => {
    const { kv, store } = await damagedStore();
    await expect(store.get(at)).rejects.toThrow(BlobDamagedError);
    expect(await store.exportPartition(5, undefined, { itemsMax: 10, bytesMax: 1 << 30 })).toEqual(
      [],
    );
    await kv.close();
  });

  it('a storage node answers a get of it as no value: the read takes another', async () => {
    const { kv, store } = await damagedStore();
    const handle = storageNodeHandler(store, 8);
    expect(await handle({ op: 'get', item: at })).toEqual({ ok: true, value: undefined });
    await kv.close();
  });

  it('putKeyIfAbsent keeps a whole copy and replaces a damaged one', async () => {
    const { kv, store, file } = await damagedStore();
    expect(await store.putKeyIfAbsent(key, value)).toBe(true);
    expect((await store.get(at))!.equals(value)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(await store.putKeyIfAbsent(key, Buffer.alloc(INLINE_BYTES_MAX + 100, 8))).toBe(false);
    expect((await store.get(at))!.equals(value)).toBe(true);
    await kv.close();
  });

  it('still reads entries written before lengths were recorded', async () => {
    const dir = await tempDir();
    const kv = await openLevelBackend(join(dir, 'db'));
    const blobDir = join(dir, 'blobs');
    const name = new BlobStore(blobDir).freshName(key);
    await (await new BlobStore(blobDir).write(name, value)).close();
    await kv.write([{ type: 'put', key, value: Buffer.concat([Buffer.from([1]), b(name)]) }], {
      sync: true,
    });
    const store = new ItemStore(kv, blobDir, { sync: false });
    expect((await store.get(at))!.equals(value)).toBe(true);
    expect(await store.putKeyIfAbsent(key, value)).toBe(false);
    await store.delete(at);
    expect(await blobFiles(blobDir)).toEqual([]);
    await kv.close();
  });
});

/** The metadata key ItemStore keeps its blob records under. */
const blobMetaKey = (name: string) => Buffer.concat([Buffer.from([0xff, 0xff]), b(name)]);

async function blobFiles(blobDir: string): Promise<string[]> {
  const entries = await readdir(blobDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(relative(blobDir, e.parentPath), e.name));
}

/** The blob file a committed entry names (tag 2: the value's 6-byte length, then the name). */
function committedName(entry: Buffer | undefined): string {
  expect(entry?.[0]).toBe(2);
  return entry!.subarray(7).toString('utf8');
}

/** `kv` whose synced writes (commits) fail; unsynced ones (intent records) go through. */
function failOnSync(kv: KvBackend): KvBackend {
  return {
    get: (key) => kv.get(key),
    range: (range) => kv.range(range),
    close: () => kv.close(),
    write: async (ops, options) => {
      if (options.sync) throw new Error('EIO: injected');
      await kv.write(ops, options);
    },
  };
}
