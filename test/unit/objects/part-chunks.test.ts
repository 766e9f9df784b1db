/**
 * The chunked part list: keys, encoding, and the lookups a GET makes without reading every
 * chunk (byte offset → chunk, part position → chunk and offset), by table and by property
 * against a flat list: every byte offset maps to the part that holds it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestPart } from '../../../src/objects/manifest.js';
import {
  allParts,
  partAt,
  partsFromOffset,
  type PartChunkReader,
} from '../../../src/objects/manifest-parts.js';
import {
  chunkAtOffset,
  chunkKey,
  chunkLength,
  chunkOffsets,
  chunkParts,
  decodePartChunk,
  encodePartChunk,
  PARTS_PER_CHUNK,
} from '../../../src/objects/part-chunks.js';

const partOf = (size: number, i: number): ManifestPart => ({
  partNumber: i + 1,
  size,
  etag: `e${i}`,
  versionId: `p${i}`,
  blockSize: 4,
  blockCount: Math.ceil(size / 4),
});

/** A chunked manifest of parts of `sizes`, and a reader that counts its reads. */
function chunked(sizes: readonly number[], perChunk: number) {
  const parts = sizes.map(partOf);
  const { index, chunks } = chunkParts(parts, perChunk);
  const records = chunks.map((chunk) => encodePartChunk(chunk));
  const reads: number[] = [];
  const read: PartChunkReader = async (_versionId, idx, n) => {
    reads.push(n);
    return decodePartChunk(records[n]!, idx, n);
  };
  const size = sizes.reduce((sum, s) => sum + s, 0);
  const manifest = { versionId: 'v', size, partIndex: index } as unknown as Manifest;
  return { parts, index, manifest, read, reads };
}

/** The part holding byte `offset` in a flat list, and its start. */
function flatPartAt(sizes: readonly number[], offset: number) {
  let start = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (offset < start + sizes[i]!) return { i, start };
    start += sizes[i]!;
  }
  return undefined;
}

describe('part chunks (table)', () => {
  it('keys sort by chunk number and end like block keys', () => {
    expect(chunkKey('v1', 0)).toBe('v1:000000');
    expect(chunkKey('v1', 12)).toBe('v1:000012');
    expect(chunkKey('v1', 9) < chunkKey('v1', 10)).toBe(true);
  });

  it.each([
    [0, []],
    [1, [1]],
    [PARTS_PER_CHUNK, [PARTS_PER_CHUNK]],
    [PARTS_PER_CHUNK + 1, [PARTS_PER_CHUNK, 1]],
    [2500, [1000, 1000, 500]],
  ])('cuts %i parts into chunks of %j', (count, lengths) => {
    const { index, chunks } = chunkParts(Array.from({ length: count }, (_, i) => partOf(2, i)));
    expect(chunks.map((chunk) => chunk.length)).toEqual(lengths);
    expect(lengths.map((_, n) => chunkLength(index, n))).toEqual(lengths);
    expect(index.chunkBytes).toEqual(lengths.map((length) => length * 2));
    expect(index.count).toBe(count);
  });

  it('maps offsets to chunks, skipping chunks of empty parts', () => {
    const { index } = chunkParts([5, 0, 0, 3, 4, 0].map(partOf), 2);
    expect(index.chunkBytes).toEqual([5, 3, 4]);
    expect(chunkOffsets(index)).toEqual([0, 5, 8]);
    expect([0, 4, 5, 7, 8, 11].map((o) => chunkAtOffset(index, o))).toEqual([0, 0, 1, 1, 2, 2]);
    const empty = chunkParts([0, 0, 3].map(partOf), 1).index;
    expect(chunkAtOffset(empty, 0)).toBe(2);
  });

  it('refuses a corrupt chunk or one of the wrong length', () => {
    const { index, chunks } = chunkParts([1, 2, 3].map(partOf), 2);
    expect(decodePartChunk(encodePartChunk(chunks[1]!), index, 1)).toEqual(chunks[1]);
    expect(() => decodePartChunk(encodePartChunk(chunks[0]!), index, 1)).toThrow(/corrupt/);
    expect(() => decodePartChunk(Buffer.from('{}'), index, 0)).toThrow(/corrupt/);
    expect(() => chunkParts([], 0)).toThrow(RangeError);
  });

  it('finds a part by position with one chunk read', async () => {
    const c = chunked([3, 4, 5, 6, 7], 2);
    expect(await partAt(c.manifest, c.read, 3)).toEqual({ part: c.parts[3], offset: 12 });
    expect(c.reads).toEqual([1]);
    expect(await partAt(c.manifest, c.read, 5)).toBeUndefined();
    expect(await allParts(c.manifest, c.read)).toEqual(c.parts);
  });
});

const sizesArb = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })), {
  minLength: 1,
  maxLength: 40,
});

describe('part chunks (properties)', () => {
  it('every byte offset maps to the part that holds it, from one chunk on', async () => {
    await fc.assert(
      fc.asyncProperty(sizesArb, fc.integer({ min: 1, max: 7 }), async (sizes, perChunk) => {
        const c = chunked(sizes, perChunk);
        const size = c.manifest.size;
        for (let offset = 0; offset < size; offset++) {
          const want = flatPartAt(sizes, offset)!;
          c.reads.length = 0;
          let found: { i: number; start: number } | undefined;
          for await (const { part, offset: start } of partsFromOffset(c.manifest, c.read, offset)) {
            if (offset < start + part.size) {
              found = { i: part.partNumber - 1, start };
              break;
            }
          }
          expect(found).toEqual(want);
          // The first chunk read is the one holding the byte: no chunk before it is read.
          expect(c.reads.length).toBe(1);
          expect(c.reads[0]).toBe(Math.floor(want.i / perChunk));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a part found by position has the offset of the flat list, one chunk read', async () => {
    await fc.assert(
      fc.asyncProperty(sizesArb, fc.integer({ min: 1, max: 7 }), async (sizes, perChunk) => {
        const c = chunked(sizes, perChunk);
        let start = 0;
        for (let i = 0; i < sizes.length; i++) {
          c.reads.length = 0;
          expect(await partAt(c.manifest, c.read, i)).toEqual({ part: c.parts[i], offset: start });
          expect(c.reads).toEqual([Math.floor(i / perChunk)]);
          start += sizes[i]!;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('inline parts (the old form) give the same bytes and parts without a read', async () => {
    await fc.assert(
      fc.asyncProperty(sizesArb, async (sizes) => {
        const c = chunked(sizes, 3);
        const { partIndex: _, ...rest } = c.manifest;
        const old = { ...rest, parts: c.parts } as Manifest;
        // Leading chunks of empty parts hold no byte: a read from 0 may start past them.
        const flat: unknown[] = [];
        for await (const placed of partsFromOffset(old, c.read, 0)) {
          if (placed.part.size > 0) flat.push(placed);
        }
        const chunkedAll: unknown[] = [];
        for await (const placed of partsFromOffset(c.manifest, c.read, 0)) {
          if (placed.part.size > 0) chunkedAll.push(placed);
        }
        expect(flat).toEqual(chunkedAll);
        c.reads.length = 0;
        for (let i = 0; i < sizes.length; i++) {
          expect(await partAt(old, c.read, i)).toEqual(await partAt(c.manifest, c.read, i));
        }
        expect(c.reads.length).toBe(sizes.length);
      }),
      { numRuns: 100 },
    );
  });
});
