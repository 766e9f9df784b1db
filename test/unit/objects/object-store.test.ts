/**
 * The object layer over an in-memory ring: blocks cut at every boundary read back exactly,
 * a failed check leaves the old version, and GC collects a dead version's blocks only
 * after the leeway, never the live version's.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { blockKey } from '../../../src/objects/manifest.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { memoryRing } from '../../helpers/memory-ring.js';

function setup(blockSize: number, leewayMs = 1000) {
  let now = 1_000_000;
  const ring = memoryRing();
  const gc = new GcQueue(ring, leewayMs);
  // These tests are about blocks: no object is small enough to be stored inline.
  const options = { blockSize, inFlightMax: 3, objectBytesMax: 1 << 30, inlineBytesMax: -1 };
  const objects = new ObjectStore(ring, gc, options, () => now);
  return { ring, gc, objects, advance: (ms: number) => (now += ms), now: () => now };
}

const newObject = (key: string, versionId: string) => ({
  versionId,
  bucketId: 'bkt',
  key,
  headers: { contentType: 'x' },
  metadata: {},
  checksums: {},
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('ObjectStore', () => {
  it('fails a read whose blocks are missing without leaving a read-ahead unhandled', async () => {
    const { ring, objects } = setup(10);
    const body = Readable.from([Buffer.alloc(60, 1)]);
    const manifest = await objects.put(newObject('k', 'v1'), body, () => {});
    for (const n of [0, 2, 3]) await ring.delete(KEYSPACES.blocks, blockKey('v1', n));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(readAll(objects.read(manifest, 0, 59))).rejects.toThrow(/block 0 of v1 missing/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('reads back any byte range of any size, however the body was chunked (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        fc.nat(),
        async (bytes, cuts, blockSize, a, b) => {
          const { objects } = setup(blockSize);
          const data = Buffer.from(bytes);
          const chunks: Buffer[] = [];
          for (let at = 0, i = 0; at < data.length; i++) {
            const size = cuts[i % cuts.length]!;
            chunks.push(data.subarray(at, at + size));
            at += size;
          }
          const manifest = await objects.put(newObject('k', 'v1'), Readable.from(chunks), () => {});
          expect(manifest.size).toBe(data.length);
          expect(manifest.blockCount).toBe(Math.ceil(data.length / blockSize));
          expect((await readAll(objects.read(manifest, 0, data.length - 1))).equals(data)).toBe(
            true,
          );
          if (data.length === 0) return;
          const start = a % data.length;
          const end = start + (b % (data.length - start));
          const part = await readAll(objects.read(manifest, start, end));
          expect(part.equals(data.subarray(start, end + 1))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the old version when the check fails, and queues the new blocks for GC', async () => {
    const { objects, gc, ring, advance, now } = setup(4);
    await objects.put(newObject('k', 'v1'), Readable.from([Buffer.from('old!old!')]), () => {});
    const failing = objects.put(newObject('k', 'v2'), Readable.from([Buffer.from('new!')]), () => {
      throw new Error('digest mismatch');
    });
    await expect(failing).rejects.toThrow('digest mismatch');
    expect((await objects.head('bkt', 'k'))?.versionId).toBe('v1');
    expect(await ring.get(KEYSPACES.blocks, blockKey('v2', 0))).toBeDefined();
    advance(1001);
    expect(await gc.collectDue(now())).toBe(1);
    expect(await ring.get(KEYSPACES.blocks, blockKey('v2', 0))).toBeUndefined();
    expect(await ring.get(KEYSPACES.blocks, blockKey('v1', 0))).toBeDefined();
  });

  it('collects an overwritten version only after the leeway, never the live one', async () => {
    const { objects, gc, ring, advance, now } = setup(4, 5000);
    const put = (v: string, text: string) =>
      objects.put(newObject('k', v), Readable.from([Buffer.from(text)]), () => {});
    await put('v1', 'first version');
    const live = await put('v2', 'second version');
    expect(await gc.collectDue(now())).toBe(0);
    expect(await ring.get(KEYSPACES.blocks, blockKey('v1', 0))).toBeDefined();
    advance(5001);
    expect(await gc.collectDue(now())).toBe(1);
    for (let n = 0; n < 4; n++) {
      expect(await ring.get(KEYSPACES.blocks, blockKey('v1', n))).toBeUndefined();
    }
    expect((await readAll(objects.read(live, 0, live.size - 1))).toString()).toBe('second version');
    await objects.delete('bkt', 'k');
    advance(5001);
    expect(await gc.collectDue(now())).toBe(1);
    expect(await ring.get(KEYSPACES.blocks, blockKey('v2', 0))).toBeUndefined();
  });
});
