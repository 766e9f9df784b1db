/**
 * Encrypted multipart uploads at the object layer over an in-memory ring: every part is
 * sealed under its own key (block-seal.ts partKey), the completed version reads back whole,
 * by ranges across part boundaries and part by part; the upload record keeps no key; and a
 * block moved to another part, or a re-sent part's block put back in place of the newer
 * one, fails the read instead of returning bytes.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { partKey, sealBlock, type OpenKey } from '../../../src/objects/encryption/block-seal.js';
import { SealedChunkError } from '../../../src/objects/encryption/chunked-gcm.js';
import { customerSealing } from '../../../src/objects/encryption/sse-keys.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { blockKey } from '../../../src/objects/manifest.js';
import { encodeRecord } from '../../../src/objects/multipart.js';
import { MultipartStore } from '../../../src/objects/multipart-store.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const BLOCK = 1024;

function setup() {
  const ring = memoryRing();
  const gc = new GcQueue(ring, 1000);
  const clock = () => 1_000_000;
  const objects = new ObjectStore(
    ring,
    gc,
    { blockSize: BLOCK, inFlightMax: 3, objectBytesMax: 1 << 30 },
    clock,
  );
  const options = { blockSize: BLOCK, inFlightMax: 3, partBytesMax: 1 << 30, partBytesMin: 1 };
  const multipart = new MultipartStore(ring, gc, objects, options, clock);
  return { ring, objects, multipart };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sealedUpload(sizes: number[]) {
  const s = setup();
  const customerKey = randomBytes(32);
  const sealing = customerSealing(customerKey, randomBytes, 256);
  const key: OpenKey = { record: sealing.record, dataKey: sealing.dataKey };
  const upload = await s.multipart.create({
    uploadId: 'up1',
    bucketId: 'bkt',
    key: 'obj',
    ownerId: 'u1',
    headers: { contentType: 'x' },
    metadata: {},
    encryption: sealing.record,
  });
  const data = sizes.map((size) => randomBytes(size));
  const parts = [];
  for (const [i, bytes] of data.entries()) {
    const part = { partNumber: i + 1, versionId: `p${i + 1}` };
    parts.push(await s.multipart.putPart(upload, part, Readable.from([bytes]), () => ({}), key));
  }
  return { ...s, key, customerKey, upload, data, parts };
}

describe('encrypted multipart uploads', () => {
  it('seals every part, keeps no key, and reads whole, by range and by part', async () => {
    const t = await sealedUpload([3 * BLOCK + 17, 2 * BLOCK, 700]);
    const stored = (await t.ring.get(KEYSPACES.blocks, blockKey('p1', 0)))!;
    expect(stored.includes(t.data[0]!.subarray(0, 32))).toBe(false);
    expect(encodeRecord(t.upload).includes(t.customerKey.toString('base64'))).toBe(false);
    expect(encodeRecord(t.upload).includes(t.key.dataKey.toString('base64'))).toBe(false);
    const requested = t.parts.map((p) => ({
      partNumber: p.partNumber,
      etag: p.etag,
      checksums: {},
    }));
    const manifest = await t.multipart.complete(t.upload, requested, 'v1');
    expect(manifest.encryption).toEqual(t.upload.encryption);
    const whole = Buffer.concat(t.data);
    expect(
      (await readAll(t.objects.read(manifest, 0, whole.length - 1, t.key))).equals(whole),
    ).toBe(true);
    const boundary = t.data[0]!.length;
    for (const [start, end] of [
      [boundary - 5, boundary + 5],
      [boundary - 300, whole.length - 2],
      [whole.length - 1, whole.length - 1],
    ] as const) {
      const got = await readAll(t.objects.read(manifest, start, end, t.key));
      expect(got.equals(whole.subarray(start, end + 1))).toBe(true);
    }
    const second = { versionId: 'p2', blockSize: BLOCK, partNumber: 2 };
    const part = await readAll(t.objects.readPart(second, 0, t.data[1]!.length - 1, t.key));
    expect(part.equals(t.data[1]!)).toBe(true);
  });

  it('a block moved to another part fails its check', async () => {
    const t = await sealedUpload([BLOCK, BLOCK]);
    const requested = t.parts.map((p) => ({
      partNumber: p.partNumber,
      etag: p.etag,
      checksums: {},
    }));
    const manifest = await t.multipart.complete(t.upload, requested, 'v1');
    const first = (await t.ring.get(KEYSPACES.blocks, blockKey('p1', 0)))!;
    await t.ring.put(KEYSPACES.blocks, blockKey('p2', 0), '', first);
    await expect(readAll(t.objects.read(manifest, 0, 2 * BLOCK - 1, t.key))).rejects.toThrow(
      SealedChunkError,
    );
  });

  it('parts of one number uploaded twice never share a key (no nonce reuse)', () => {
    const { record } = customerSealing(randomBytes(32), randomBytes, 256);
    const key: OpenKey = { record, dataKey: randomBytes(32) };
    const plain = Buffer.alloc(BLOCK);
    const once = sealBlock(partKey(key, 1, 'first'), BLOCK, 0, plain);
    const again = sealBlock(partKey(key, 1, 'second'), BLOCK, 0, plain);
    const elsewhere = sealBlock(partKey(key, 2, 'first'), BLOCK, 0, plain);
    expect(once.equals(again)).toBe(false);
    expect(once.equals(elsewhere)).toBe(false);
  });
});
