/**
 * Multipart objects whose part list is stored in chunk records, over an in-memory ring:
 * Complete writes the chunks before the manifest, which keeps only their index; a ranged
 * read or one part costs one chunk read; a manifest written with its parts inline (every
 * release before chunks) reads the same; GC collects a dead version's parts and chunk
 * records; the orphan sweeper removes a crashed Complete's chunks and never a live one's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { uuidV7 } from '../../../src/objects/ids.js';
import { blockKey, encodeManifest, type Manifest } from '../../../src/objects/manifest.js';
import { allParts, partAt, writePartChunks } from '../../../src/objects/manifest-parts.js';
import type { UploadRecord } from '../../../src/objects/multipart.js';
import { MultipartStore } from '../../../src/objects/multipart-store.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { OrphanSweeper } from '../../../src/objects/orphan-sweeper.js';
import { chunkKey, PARTS_PER_CHUNK } from '../../../src/objects/part-chunks.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const LEEWAY_MS = 1000;
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const ring = memoryRing();
  const gc = new GcQueue(ring, LEEWAY_MS);
  const clock = () => now;
  let chunkReads = 0;
  const objects = new ObjectStore(
    ring,
    gc,
    { blockSize: 4, inFlightMax: 3, objectBytesMax: 1 << 30, onPartChunkRead: () => chunkReads++ },
    clock,
  );
  const options = { blockSize: 4, inFlightMax: 3, partBytesMax: 1 << 30, partBytesMin: 1 };
  const multipart = new MultipartStore(ring, gc, objects, options, clock);
  const newId = () => uuidV7(now, randomUUID);
  return {
    ring,
    gc,
    objects,
    multipart,
    newId,
    chunkReads: () => chunkReads,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}
type Setup = ReturnType<typeof setup>;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Uploads `count` parts `<i>` to `key` and completes them; returns the bytes and manifest. */
async function completeMany(s: Setup, key: string, count: number) {
  const upload: UploadRecord = await s.multipart.create({
    uploadId: s.newId(),
    bucketId: 'bkt',
    key,
    ownerId: 'u1',
    headers: { contentType: 'x' },
    metadata: {},
  });
  const parts = Array.from({ length: count }, (_, i) => Buffer.from(`<${i}>`));
  for (let at = 0; at < count; at += 200) {
    await Promise.all(
      parts
        .slice(at, at + 200)
        .map((data, j) =>
          s.multipart.putPart(
            upload,
            { partNumber: at + j + 1, versionId: s.newId() },
            Readable.from([data]),
            () => ({}),
          ),
        ),
    );
  }
  const requested = parts.map((data, i) => ({ partNumber: i + 1, etag: md5(data), checksums: {} }));
  const manifest = await s.multipart.complete(upload, requested, s.newId());
  return { parts, whole: Buffer.concat(parts), manifest };
}

/** Byte offset of part `i` (0-based) of parts `<0>`, `<1>`, …. */
const offsetOf = (parts: Buffer[], i: number) =>
  parts.slice(0, i).reduce((sum, part) => sum + part.length, 0);

const chunkRecord = (s: Setup, versionId: string, n: number) =>
  s.ring.get(KEYSPACES.manifestParts, chunkKey(versionId, n));

describe('chunked part lists', () => {
  it('writes the chunks before a small manifest; reads one chunk per part or range', async () => {
    const s = setup();
    const writes: string[] = [];
    const put = s.ring.put.bind(s.ring);
    const putVersioned = s.ring.putVersioned.bind(s.ring);
    s.ring.put = (keyspace, ...rest) => (writes.push(keyspace), put(keyspace, ...rest));
    s.ring.putVersioned = (keyspace, ...rest) => (
      writes.push(keyspace),
      putVersioned(keyspace, ...rest)
    );
    const { parts, whole, manifest } = await completeMany(s, 'big', 2500);
    const completeWrites = writes.slice(writes.indexOf(KEYSPACES.manifestParts));
    expect(completeWrites.slice(0, 3)).toEqual(Array(3).fill(KEYSPACES.manifestParts));
    expect(completeWrites[3]).toBe(KEYSPACES.manifests);
    const head = (await s.objects.head('bkt', 'big'))!;
    expect(head.parts).toBeUndefined();
    expect(head.partIndex).toEqual({
      count: 2500,
      perChunk: PARTS_PER_CHUNK,
      chunkBytes: [
        offsetOf(parts, 1000),
        offsetOf(parts, 2000) - offsetOf(parts, 1000),
        whole.length - offsetOf(parts, 2000),
      ],
    });
    expect(encodeManifest(head).length).toBeLessThan(1024);
    expect(manifest.partIndex).toEqual(head.partIndex);
    const before = s.chunkReads();
    const start = offsetOf(parts, 1700);
    const one = await readAll(s.objects.read(head, start, start + parts[1700]!.length - 1));
    expect(one.toString()).toBe('<1700>');
    expect(s.chunkReads() - before).toBe(1);
    const placed = await partAt(head, s.objects.partChunks, 2399);
    expect(placed).toMatchObject({ offset: offsetOf(parts, 2399), part: { partNumber: 2400 } });
    expect(s.chunkReads() - before).toBe(2);
    expect(md5(await readAll(s.objects.read(head, 0, whole.length - 1)))).toBe(md5(whole));
    expect(s.chunkReads() - before).toBe(5);
  }, 60_000);

  it('keeps a list of one chunk in the manifest, as before', async () => {
    const s = setup();
    const { manifest } = await completeMany(s, 'k', PARTS_PER_CHUNK);
    expect(manifest.parts).toHaveLength(PARTS_PER_CHUNK);
    expect(manifest.partIndex).toBeUndefined();
  }, 60_000);

  it('reads a manifest written with 2,500 parts inline (before chunks) unchanged', async () => {
    const s = setup();
    const { parts, whole, manifest } = await completeMany(s, 'big', 2500);
    const inlineParts = [];
    for (let i = 0; i < 2500; i++)
      inlineParts.push((await partAt(manifest, s.objects.partChunks, i))!.part);
    const { partIndex: _, ...rest } = manifest;
    const old: Manifest = { ...rest, key: 'old', parts: inlineParts };
    await s.objects.commit(old);
    const head = (await s.objects.head('bkt', 'old'))!;
    expect(head.parts).toHaveLength(2500);
    const before = s.chunkReads();
    expect(md5(await readAll(s.objects.read(head, 0, whole.length - 1)))).toBe(md5(whole));
    const start = offsetOf(parts, 2222);
    const one = await readAll(s.objects.read(head, start, start + parts[2222]!.length - 1));
    expect(one.toString()).toBe('<2222>');
    expect(s.chunkReads()).toBe(before);
  }, 60_000);

  it('collects a deleted or overwritten object’s parts and chunk records', async () => {
    const s = setup();
    const a = await completeMany(s, 'a', 1500);
    const b = await completeMany(s, 'b', 1200);
    const partIds = async (m: Manifest) =>
      Promise.all(
        [0, 700, m.partIndex!.count - 1].map(async (i) => {
          return (await partAt(m, s.objects.partChunks, i))!.part.versionId;
        }),
      );
    const aParts = await partIds(a.manifest);
    const bParts = await partIds(b.manifest);
    await s.objects.delete('bkt', 'a');
    await s.objects.put(
      {
        versionId: s.newId(),
        bucketId: 'bkt',
        key: 'b',
        headers: { contentType: 'x' },
        metadata: {},
        checksums: {},
      },
      Readable.from([Buffer.from('new')]),
      () => undefined,
    );
    expect(await chunkRecord(s, a.manifest.versionId, 1)).toBeDefined();
    s.advance(LEEWAY_MS + 1);
    await s.gc.collectDue(s.now(), 100_000);
    for (const m of [a.manifest, b.manifest]) {
      for (const n of [0, 1]) expect(await chunkRecord(s, m.versionId, n)).toBeUndefined();
    }
    for (const id of [...aParts, ...bParts]) {
      expect(await s.ring.get(KEYSPACES.blocks, blockKey(id, 0))).toBeUndefined();
    }
    expect((await s.objects.head('bkt', 'b'))!.inline?.toString()).toBe('new');
  }, 60_000);

  it('a rewrite of one of two Completes of the same parts collects none of them', async () => {
    const s = setup();
    const base = await completeMany(s, 'k', 1200);
    const parts = (await allParts(base.manifest, s.objects.partChunks))!;
    const { partIndex: _, ...head } = base.manifest;
    // Two Completes that read the same (empty) key: siblings sharing every part.
    const read = await s.ring.getVersioned(KEYSPACES.manifests, 'bkt', 'twin');
    const twins = [s.newId(), s.newId()];
    for (const versionId of twins) {
      const partIndex = await writePartChunks(s.ring, versionId, parts, { inFlightMax: 2 });
      await s.objects.commit(
        { ...head, key: 'twin', versionId, partIndex },
        read,
        undefined,
        parts,
      );
    }
    expect((await s.ring.getVersioned(KEYSPACES.manifests, 'bkt', 'twin')).values).toHaveLength(2);
    await s.objects.setTags('bkt', 'twin', [{ key: 't', value: 'v' }]);
    s.advance(LEEWAY_MS + 1);
    await s.gc.collectDue(s.now(), 100_000);
    const twin = (await s.objects.head('bkt', 'twin'))!;
    expect(twin.tags).toEqual([{ key: 't', value: 'v' }]);
    expect(md5(await readAll(s.objects.read(twin, 0, base.whole.length - 1)))).toBe(
      md5(base.whole),
    );
    const loser = twins.find((id) => id !== twin.versionId)!;
    expect(await chunkRecord(s, loser, 0)).toBeUndefined();
    expect(await chunkRecord(s, twin.versionId, 1)).toBeDefined();
  }, 60_000);

  it('sweeps the chunks of a Complete that crashed, never a live object’s', async () => {
    const s = setup();
    await seedUserAndBucket(s);
    const live = await completeMany(s, 'live', 1100);
    const crashedId = s.newId();
    const crashedParts = (
      await Promise.all([0, 1, 2].map((i) => partAt(live.manifest, s.objects.partChunks, i)))
    ).map((placed) => placed!.part);
    await writePartChunks(s.ring, crashedId, crashedParts, { perChunk: 1, inFlightMax: 2 });
    s.advance(LEEWAY_MS + 1);
    const sweeper = new OrphanSweeper(s.ring, s.gc, { leewayMs: LEEWAY_MS }, s.now);
    const report = await sweeper.run();
    expect(report.partChunksRemoved).toBe(3);
    expect(report.partChunksScanned).toBe(5);
    for (const n of [0, 1, 2]) expect(await chunkRecord(s, crashedId, n)).toBeUndefined();
    const head = (await s.objects.head('bkt', 'live'))!;
    expect(md5(await readAll(s.objects.read(head, 0, live.whole.length - 1)))).toBe(
      md5(live.whole),
    );
    expect(report.blocksRemoved).toBe(0);
  }, 60_000);
});

/** The user and bucket records the sweeper's mark walks to find bucket `bkt`. */
async function seedUserAndBucket(s: Setup) {
  const user = { id: 'u1', keyId: 'AKIDU1' };
  const bucket = { id: 'bkt', name: 'bucket', ownerId: 'u1' };
  const json = (value: object) => Buffer.from(JSON.stringify(value));
  await s.ring.putVersioned(KEYSPACES.userIndex, 'all', user.keyId, json(user), {});
  await s.ring.putVersioned(KEYSPACES.userBuckets, user.id, bucket.name, json(bucket), {});
}
