/**
 * Small objects stored in their manifest record: the record format (old plain-JSON records
 * still decode), the PUT path that reads no more than the limit before it decides, and the
 * object layer: no blocks, no GC work for an inline version, old blocks still collected.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { splitSmallBody } from '../../../src/objects/inline-body.js';
import {
  blockKey,
  decodeManifest,
  encodeManifest,
  type Manifest,
} from '../../../src/objects/manifest.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const base: Manifest = {
  format: 1,
  versionId: '0190a0b0-0000-7000-8000-000000000001',
  bucketId: 'b1',
  key: 'photos/a.jpg',
  size: 5,
  etag: '5d41402abc4b2a76b9719d911017c592',
  lastModifiedMs: 1_700_000_000_000,
  blockSize: 1048576,
  blockCount: 1,
  headers: { contentType: 'image/jpeg' },
  metadata: { a: 'b' },
  checksums: { crc32: 'NhCmhg==' },
};

describe('manifest record: encoding', () => {
  it('decodes a record as main wrote it (plain JSON, no inline bytes)', () => {
    const old = Buffer.from(JSON.stringify(base), 'utf8');
    expect(old[0]).toBe('{'.charCodeAt(0));
    const decoded = decodeManifest(old);
    expect(decoded).toEqual(base);
    expect(decoded.inline).toBeUndefined();
    // A block object is still written exactly as before.
    expect(encodeManifest(base).equals(old)).toBe(true);
  });

  it('round-trips inline bytes of any content, raw after the JSON (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), (bytes) => {
        const data = Buffer.from(bytes);
        const manifest = { ...base, size: data.length, blockCount: 0, inline: data };
        const value = encodeManifest(manifest);
        expect(value[0]).toBe(0);
        expect(value.subarray(value.length - data.length).equals(data)).toBe(true);
        const decoded = decodeManifest(value);
        expect(decoded.inline!.equals(data)).toBe(true);
        expect({ ...decoded, inline: undefined }).toEqual({ ...manifest, inline: undefined });
      }),
    );
  });

  it('writes an empty object in the old format: nothing to inline', () => {
    const empty = { ...base, size: 0, blockCount: 0 };
    const value = encodeManifest({ ...empty, inline: Buffer.alloc(0) });
    expect(value.equals(Buffer.from(JSON.stringify(empty), 'utf8'))).toBe(true);
  });

  it('refuses a truncated or inconsistent inline record', () => {
    const data = Buffer.from('hello');
    const value = encodeManifest({ ...base, blockCount: 0, inline: data });
    expect(() => decodeManifest(value.subarray(0, 3))).toThrow(/corrupt/);
    expect(() => decodeManifest(value.subarray(0, value.length - 1))).toThrow(/corrupt/);
    expect(() => decodeManifest(value.subarray(0, 20))).toThrow(/corrupt/);
  });
});

/** A body of `chunks` that counts how many chunks were pulled from it. */
function countedBody(chunks: Buffer[]) {
  const counter = { pulled: 0, closed: false };
  async function* gen() {
    try {
      for (const chunk of chunks) {
        counter.pulled++;
        yield chunk;
      }
    } finally {
      counter.closed = true;
    }
  }
  return { body: gen(), counter };
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('splitSmallBody', () => {
  it('keeps a body of exactly the limit, whole', async () => {
    const { body } = countedBody([Buffer.alloc(6, 1), Buffer.alloc(4, 2)]);
    const split = await splitSmallBody(body, 10);
    expect(split.kind).toBe('small');
    if (split.kind === 'small') expect(split.data.length).toBe(10);
  });

  it('stops reading once past the limit, then streams every byte in order', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(4, i));
    const { body, counter } = countedBody(chunks);
    const split = await splitSmallBody(body, 10);
    expect(split.kind).toBe('large');
    // 12 bytes read: the limit plus at most one chunk, never the rest.
    expect(counter.pulled).toBe(3);
    if (split.kind !== 'large') throw new Error('expected a large body');
    expect((await collect(split.stream)).equals(Buffer.concat(chunks))).toBe(true);
    expect(counter.pulled).toBe(10);
  });

  it('closes the source when the large stream is abandoned', async () => {
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(4));
    const { body, counter } = countedBody(chunks);
    const split = await splitSmallBody(body, 5);
    if (split.kind !== 'large') throw new Error('expected a large body');
    for await (const _ of split.stream) break;
    expect(counter.closed).toBe(true);
  });

  it('reads nothing with a limit below zero', async () => {
    const { body, counter } = countedBody([Buffer.from('x')]);
    const split = await splitSmallBody(body, -1);
    expect(split.kind).toBe('large');
    expect(counter.pulled).toBe(0);
  });
});

function setup(inlineBytesMax: number) {
  let now = 1_000_000;
  const ring = memoryRing();
  const gc = new GcQueue(ring, 1000);
  const options = { blockSize: 4, inFlightMax: 3, objectBytesMax: 1 << 30, inlineBytesMax };
  const objects = new ObjectStore(ring, gc, options, () => now);
  const put = (versionId: string, text: string) =>
    objects.put(
      {
        versionId,
        bucketId: 'bkt',
        key: 'k',
        headers: { contentType: 'x' },
        metadata: {},
        checksums: {},
      },
      Readable.from([Buffer.from(text)]),
      () => {},
    );
  const collectAll = () => {
    now += 1001;
    return gc.collectDue(now);
  };
  return { ring, objects, put, collectAll };
}

describe('ObjectStore: inline objects', () => {
  it('stores a small object in its manifest alone and reads any range of it', async () => {
    const { ring, objects, put } = setup(16);
    const manifest = await put('v1', 'hello, world');
    expect(manifest).toMatchObject({ size: 12, blockCount: 0 });
    expect(manifest.etag).toBe('e4d7f1b4ed2e42d15898f4b27b019da4');
    expect(await ring.get(KEYSPACES.blocks, blockKey('v1', 0))).toBeUndefined();
    const stored = (await objects.head('bkt', 'k'))!;
    expect(stored.inline!.toString()).toBe('hello, world');
    expect((await collect(objects.read(stored, 7, 11))).toString()).toBe('world');
    expect((await collect(objects.read(stored, 0, 11))).toString()).toBe('hello, world');
  });

  it('keeps the bytes when the manifest is rewritten (tags)', async () => {
    const { objects, put } = setup(16);
    await put('v1', 'tagged');
    await objects.setTags('bkt', 'k', [{ key: 't', value: '1' }]);
    const stored = (await objects.head('bkt', 'k'))!;
    expect(stored.tags).toEqual([{ key: 't', value: '1' }]);
    expect(stored.inline!.toString()).toBe('tagged');
  });

  it('queues no GC work when an inline object is overwritten or deleted', async () => {
    const { objects, put, collectAll } = setup(16);
    await put('v1', 'one');
    await put('v2', 'two');
    await objects.delete('bkt', 'k');
    expect(await collectAll()).toBe(0);
  });

  it('collects the blocks of a block object overwritten by an inline one', async () => {
    const { ring, put, collectAll } = setup(16);
    const big = await put('v1', 'a body longer than sixteen bytes');
    expect(big.blockCount).toBe(8);
    await put('v2', 'small');
    expect(await collectAll()).toBe(1);
    for (let n = 0; n < 8; n++) {
      expect(await ring.get(KEYSPACES.blocks, blockKey('v1', n))).toBeUndefined();
    }
  });

  it('stores nothing when the check refuses a small body', async () => {
    const { ring, objects, collectAll } = setup(16);
    const object = { versionId: 'v1', bucketId: 'bkt', key: 'k', headers: { contentType: 'x' } };
    const failing = objects.put(
      { ...object, metadata: {}, checksums: {} },
      Readable.from(['abc']),
      () => {
        throw new Error('digest mismatch');
      },
    );
    await expect(failing).rejects.toThrow('digest mismatch');
    expect(await objects.head('bkt', 'k')).toBeUndefined();
    expect(await ring.get(KEYSPACES.blocks, blockKey('v1', 0))).toBeUndefined();
    expect(await collectAll()).toBe(0);
  });
});
