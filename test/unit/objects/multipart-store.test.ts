/**
 * Multipart uploads at the object layer over an in-memory ring: Complete writes only a
 * manifest (10,000 parts complete in well under seconds, timed and printed), reads stream
 * across parts at any range, a replaced or unused part is collected after the leeway, and
 * an ended upload's collection never removes a block the object still uses.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { blockKey } from '../../../src/objects/manifest.js';
import { multipartEtag, type UploadRecord } from '../../../src/objects/multipart.js';
import { MultipartStore } from '../../../src/objects/multipart-store.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { memoryRing } from '../../helpers/memory-ring.js';

function setup(options: { blockSize: number; partBytesMin: number; leewayMs?: number }) {
  let now = 1_000_000;
  let ids = 0;
  const ring = memoryRing();
  const gc = new GcQueue(ring, options.leewayMs ?? 1000);
  const clock = () => now;
  const objectOptions = { blockSize: options.blockSize, inFlightMax: 3, objectBytesMax: 1 << 30 };
  const objects = new ObjectStore(ring, gc, objectOptions, clock);
  const multipart = new MultipartStore(
    ring,
    gc,
    objects,
    {
      blockSize: options.blockSize,
      inFlightMax: 3,
      partBytesMax: 1 << 30,
      partBytesMin: options.partBytesMin,
    },
    clock,
  );
  const newId = () => `id${String(++ids).padStart(6, '0')}`;
  const start = (key: string, checksumAlgorithm?: 'CRC32') =>
    multipart.create({
      uploadId: newId(),
      bucketId: 'bkt',
      key,
      ownerId: 'u1',
      headers: { contentType: 'x' },
      metadata: {},
      ...(checksumAlgorithm ? { checksumAlgorithm } : {}),
    });
  const putPart = (upload: UploadRecord, partNumber: number, data: Buffer) =>
    multipart.putPart(
      upload,
      { partNumber, versionId: newId() },
      Readable.from([data]),
      () => ({}),
    );
  const advance = (ms: number) => (now += ms);
  return { ring, gc, objects, multipart, start, putPart, newId, advance, now: () => now };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('MultipartStore', () => {
  it('completes 10,000 tiny parts without copying a byte (timed)', async () => {
    const s = setup({ blockSize: 4, partBytesMin: 1 });
    const upload = await s.start('big');
    const parts = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`p${i};`));
    for (let at = 0; at < parts.length; at += 100) {
      await Promise.all(
        parts.slice(at, at + 100).map((data, i) => s.putPart(upload, at + i + 1, data)),
      );
    }
    const requested = parts.map((data, i) => ({
      partNumber: i + 1,
      etag: md5(data),
      checksums: {},
    }));
    const started = performance.now();
    const manifest = await s.multipart.complete(upload, requested, 'obj1');
    const completeMs = performance.now() - started;
    console.log(`Complete of 10,000 parts (in-memory ring): ${completeMs.toFixed(0)} ms`);
    expect(completeMs).toBeLessThan(5000);
    const whole = Buffer.concat(parts);
    expect(manifest.size).toBe(whole.length);
    expect(manifest.blockCount).toBe(0);
    expect(manifest.etag).toBe(multipartEtag(parts.map(md5)));
    expect(manifest.etag.endsWith('-10000')).toBe(true);
    const head = await s.objects.head('bkt', 'big');
    expect(md5(await readAll(s.objects.read(head!, 0, whole.length - 1)))).toBe(md5(whole));
    const from = whole.length - 100;
    const tail = await readAll(s.objects.read(head!, from, whole.length - 3));
    expect(tail.equals(whole.subarray(from, whole.length - 2))).toBe(true);
    await expect(s.multipart.get('bkt', 'big', upload.uploadId)).rejects.toThrow(/upload/);
  }, 120_000);

  it('reads any range across parts of different sizes and block sizes', async () => {
    const s = setup({ blockSize: 3, partBytesMin: 1 });
    const upload = await s.start('k');
    const sizes = [7, 1, 9, 3, 5];
    const parts = sizes.map((size, i) => Buffer.alloc(size, 97 + i));
    // Uploaded out of order and in parallel.
    await Promise.all([4, 2, 0, 3, 1].map((i) => s.putPart(upload, i + 1, parts[i]!)));
    const requested = parts.map((data, i) => ({
      partNumber: i + 1,
      etag: md5(data),
      checksums: {},
    }));
    const manifest = await s.multipart.complete(upload, requested, 'v1');
    const whole = Buffer.concat(parts);
    for (let start = 0; start < whole.length; start++) {
      for (let end = start; end < whole.length; end += 2) {
        const got = await readAll(s.objects.read(manifest, start, end));
        expect(got.equals(whole.subarray(start, end + 1))).toBe(true);
      }
    }
  });

  it('collects a replaced part, the unused parts and the record after the leeway', async () => {
    const s = setup({ blockSize: 4, partBytesMin: 1 });
    const upload = await s.start('k');
    const first = await s.putPart(upload, 1, Buffer.from('first version'));
    const second = await s.putPart(upload, 1, Buffer.from('second'));
    const unused = await s.putPart(upload, 2, Buffer.from('never named'));
    const kept = await s.putPart(upload, 3, Buffer.from('tail'));
    const requested = [second, kept].map((p) => ({
      partNumber: p.partNumber,
      etag: p.etag,
      checksums: {},
    }));
    const manifest = await s.multipart.complete(upload, requested, 'v1');
    s.advance(1001);
    await s.gc.collectDue(s.now());
    const block = (versionId: string) => s.ring.get(KEYSPACES.blocks, blockKey(versionId, 0));
    expect(await block(first.versionId)).toBeUndefined();
    expect(await block(unused.versionId)).toBeUndefined();
    expect(await block(second.versionId)).toBeDefined();
    expect(await block(kept.versionId)).toBeDefined();
    expect(await s.multipart.listParts(upload.uploadId, 0, 10)).toEqual([]);
    expect((await readAll(s.objects.read(manifest, 0, manifest.size - 1))).toString()).toBe(
      'secondtail',
    );
    // Deleting the object collects its parts' blocks.
    await s.objects.delete('bkt', 'k');
    s.advance(1001);
    await s.gc.collectDue(s.now());
    expect(await block(second.versionId)).toBeUndefined();
    expect(await block(kept.versionId)).toBeUndefined();
  });

  it('queues a deleted 2,500-part object in batches and collects every block', async () => {
    const s = setup({ blockSize: 4, partBytesMin: 1 });
    const upload = await s.start('k');
    const records = [];
    for (let at = 0; at < 2500; at += 100) {
      const batch = Array.from({ length: 100 }, (_, i) =>
        s.putPart(upload, at + i + 1, Buffer.from(`part ${at + i}`)),
      );
      records.push(...(await Promise.all(batch)));
    }
    const requested = records.map((p) => ({
      partNumber: p.partNumber,
      etag: p.etag,
      checksums: {},
    }));
    await s.multipart.complete(upload, requested, 'v1');
    await s.objects.delete('bkt', 'k');
    s.advance(1001);
    // Three block batches (1,000 + 1,000 + 500 parts) and the ended upload.
    expect(await s.gc.collectDue(s.now())).toBe(4);
    for (const record of [records[0]!, records[1234]!, records[2499]!]) {
      for (let n = 0; n < record.blockCount; n++) {
        expect(await s.ring.get(KEYSPACES.blocks, blockKey(record.versionId, n))).toBeUndefined();
      }
    }
  }, 60_000);

  it('aborts: every part is collected after the leeway, and later parts are refused', async () => {
    const s = setup({ blockSize: 4, partBytesMin: 1 });
    const upload = await s.start('k');
    const part = await s.putPart(upload, 1, Buffer.from('some bytes'));
    await s.multipart.abort(upload);
    await expect(s.putPart(upload, 2, Buffer.from('late'))).rejects.toThrow(/ended/);
    s.advance(1001);
    await s.gc.collectDue(s.now());
    expect(await s.ring.get(KEYSPACES.blocks, blockKey(part.versionId, 0))).toBeUndefined();
    expect(await s.ring.get(KEYSPACES.blocks, blockKey('id000003', 0))).toBeUndefined();
  });

  it('an Abort racing a Complete never collects the completed object', async () => {
    const s = setup({ blockSize: 4, partBytesMin: 1 });
    const upload = await s.start('k');
    const part = await s.putPart(upload, 1, Buffer.from('precious'));
    const requested = [{ partNumber: 1, etag: part.etag, checksums: {} }];
    // Both read the upload before either ended it.
    await Promise.all([s.multipart.complete(upload, requested, 'v1'), s.multipart.abort(upload)]);
    await s.multipart.complete(upload, requested, 'v2');
    s.advance(1001);
    await s.gc.collectDue(s.now());
    const head = await s.objects.head('bkt', 'k');
    expect((await readAll(s.objects.read(head!, 0, head!.size - 1))).toString()).toBe('precious');
  });

  it('stores a composite CRC32 of the parts checksums', async () => {
    const { crc32 } = await import('node:zlib');
    const s = setup({ blockSize: 4, partBytesMin: 1 });
    const upload = await s.start('k', 'CRC32');
    const parts = [Buffer.from('hello '), Buffer.from('world')];
    const records = [await s.putPart(upload, 1, parts[0]!), await s.putPart(upload, 2, parts[1]!)];
    const raw = parts.map((p) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(p));
      return b;
    });
    expect(records[0]!.checksums).toEqual({ crc32: raw[0]!.toString('base64') });
    const requested = records.map((p) => ({
      partNumber: p.partNumber,
      etag: p.etag,
      checksums: { crc32: p.checksums!['crc32']! },
    }));
    const manifest = await s.multipart.complete(upload, requested, 'v1');
    const composite = Buffer.alloc(4);
    composite.writeUInt32BE(crc32(Buffer.concat(raw)));
    expect(manifest.checksums).toEqual({ crc32: `${composite.toString('base64')}-2` });
  });
});
