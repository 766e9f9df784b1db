/**
 * One suite, run against every KvBackend (in-memory and LevelDB), as abstract-level's
 * suite is run by classic-level: the simulator and production must agree on semantics.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KvBackend } from '../../ring/storage/kv-backend.js';
import { openLevelBackend } from '../../ring/storage/leveldb-backend.js';
import { memoryBackend } from '../../ring/storage/memory-backend.js';
import { ItemStore, INLINE_BYTES_MAX } from '../../ring/node/item-store.js';
import { BlobIntents } from '../../ring/node/blob-intents.js';
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
    // and the file, no entry. Also a rewrite of `kept` cut off the same way.
    const metaKey = (name: string) => Buffer.concat([Buffer.from([0xff, 0xff]), b(name)]);
    const intents = new BlobIntents(kv, metaKey);
    const blobs = new BlobStore(blobDir);
    const lostKey = itemKey(3, 'ks', b('pk'), b('lost'));
    const keptKey = itemKey(3, 'ks', b('pk'), b('kept'));
    for (const key of [lostKey, keptKey]) {
      await intents.begin(blobs.nameFor(key), key);
      if (key === lostKey) await (await blobs.write(blobs.nameFor(key), big)).close();
    }
    const files = async () =>
      (await readdir(blobDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(await files()).toHaveLength(2);
    const reopened = new ItemStore(kv, blobDir, { sync: true });
    await reopened.ready();
    expect((await files()).map((e) => e.name)).toEqual([blobs.nameFor(keptKey).slice(3)]);
    expect((await reopened.get(kept))!.equals(big)).toBe(true);
    await kv.close();
  });
});
