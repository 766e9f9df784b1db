/**
 * The sealed chunk format of encrypted objects (encryption/chunked-gcm.ts) and the keys
 * behind it (sse-keys.ts): round trips and range maths, and every kind of tampering a
 * reader must refuse (a flipped byte, a truncated block, chunks swapped or moved, the wrong
 * key); then the object layer storing sealed blocks and inline bodies and reading ranges.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import {
  openRange,
  sealChunks,
  sealedLength,
  SealedChunkError,
  TAG_BYTES,
} from '../../../src/objects/encryption/chunked-gcm.js';
import {
  customerDataKey,
  customerSealing,
  managedDataKey,
  managedSealing,
  masterKeysOf,
  MasterKeyError,
  rewrapKey,
} from '../../../src/objects/encryption/sse-keys.js';
import { KeyRequiredError } from '../../../src/objects/encryption/block-seal.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { blockKey } from '../../../src/objects/manifest.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const CHUNK = 16;
const key = randomBytes(32);

function run(sealed: Buffer, plainBytes: number, firstChunk = 0) {
  return { sealed, firstChunk, plainBytes };
}

describe('sealed chunks: format', () => {
  it('opens any range of what it sealed, and only that (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.nat(),
        fc.nat(),
        (bytes, a, b) => {
          const plain = Buffer.from(bytes);
          const sealed = sealChunks(key, 3, plain, CHUNK);
          expect(sealed.length).toBe(sealedLength(plain.length, CHUNK));
          const from = plain.length === 0 ? 0 : a % (plain.length + 1);
          const to = from + (plain.length === 0 ? 0 : b % (plain.length - from + 1));
          const opened = openRange(key, run(sealed, plain.length, 3), from, to, CHUNK);
          expect(opened.equals(plain.subarray(from, to))).toBe(true);
        },
      ),
    );
  });

  it('stores no plaintext: the sealed bytes do not contain the message', () => {
    const plain = Buffer.from('attack at dawn, attack at dawn, attack at dawn');
    const sealed = sealChunks(key, 0, plain, CHUNK);
    expect(sealed.includes(Buffer.from('attack'))).toBe(false);
  });

  it('refuses a flipped byte in any chunk it opens, body or tag', () => {
    const plain = randomBytes(CHUNK * 3 + 5);
    const sealed = sealChunks(key, 0, plain, CHUNK);
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 1;
      expect(() => openRange(key, run(bad, plain.length), 0, plain.length, CHUNK)).toThrow(
        SealedChunkError,
      );
    }
  });

  it('a range opens only its chunks: a tampered chunk outside it is not read', () => {
    const plain = randomBytes(CHUNK * 3);
    const sealed = sealChunks(key, 0, plain, CHUNK);
    sealed[0] = sealed[0]! ^ 1;
    const opened = openRange(key, run(sealed, plain.length), CHUNK, CHUNK * 2, CHUNK);
    expect(opened.equals(plain.subarray(CHUNK, CHUNK * 2))).toBe(true);
    expect(() => openRange(key, run(sealed, plain.length), 0, 1, CHUNK)).toThrow(SealedChunkError);
  });

  it('refuses a truncated run, even cut at a chunk boundary', () => {
    const plain = randomBytes(CHUNK * 3);
    const sealed = sealChunks(key, 0, plain, CHUNK);
    const cut = sealed.subarray(0, (CHUNK + TAG_BYTES) * 2);
    expect(() => openRange(key, run(cut, plain.length), 0, CHUNK, CHUNK)).toThrow(/wrong length/);
  });

  it('refuses chunks swapped within a block, or a block moved to another place', () => {
    const plain = randomBytes(CHUNK * 2);
    const sealed = sealChunks(key, 0, plain, CHUNK);
    const stride = CHUNK + TAG_BYTES;
    const swapped = Buffer.concat([sealed.subarray(stride), sealed.subarray(0, stride)]);
    expect(() => openRange(key, run(swapped, plain.length), 0, CHUNK, CHUNK)).toThrow(
      SealedChunkError,
    );
    // Block 0's bytes read as if they were block 1's (first chunk 2): every chunk fails.
    expect(() => openRange(key, run(sealed, plain.length, 2), 0, CHUNK, CHUNK)).toThrow(
      SealedChunkError,
    );
  });

  it('refuses another key (another object)', () => {
    const plain = randomBytes(CHUNK);
    const sealed = sealChunks(key, 0, plain, CHUNK);
    expect(() => openRange(randomBytes(32), run(sealed, CHUNK), 0, CHUNK, CHUNK)).toThrow(
      SealedChunkError,
    );
  });
});

describe('sse keys', () => {
  it('SSE-C: the right key opens the data key; a wrong one is told apart', () => {
    const customer = randomBytes(32);
    const sealing = customerSealing(customer, randomBytes, CHUNK);
    expect(JSON.stringify(sealing.record)).not.toContain(customer.toString('base64'));
    expect(customerDataKey(sealing.record, customer)!.equals(sealing.dataKey)).toBe(true);
    expect(customerDataKey(sealing.record, randomBytes(32))).toBeUndefined();
    // Salted: the same customer key gives every object its own data key.
    const other = customerSealing(customer, randomBytes, CHUNK);
    expect(other.dataKey.equals(sealing.dataKey)).toBe(false);
  });

  it('SSE-S3: unwraps under the key id; rotation re-wraps the same data key', () => {
    const oldKey = randomBytes(32);
    const sealing = managedSealing(masterKeysOf([oldKey]), randomBytes, CHUNK);
    const rotated = masterKeysOf([randomBytes(32), oldKey]);
    expect(managedDataKey(sealing.record, rotated).equals(sealing.dataKey)).toBe(true);
    const rewrapped = rewrapKey(sealing.record, rotated, randomBytes);
    expect(rewrapped.keyId).toBe(rotated.current.id);
    expect(rewrapped.keyId).not.toBe(sealing.record.keyId);
    const onlyNew = masterKeysOf([rotated.current.key]);
    expect(managedDataKey(rewrapped, onlyNew).equals(sealing.dataKey)).toBe(true);
    expect(() => managedDataKey(sealing.record, onlyNew)).toThrow(MasterKeyError);
    const forged = { ...rewrapped, keyId: sealing.record.keyId! };
    expect(() => managedDataKey(forged, rotated)).toThrow(MasterKeyError);
  });
});

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('object layer: sealed blocks and inline bodies', () => {
  const ring = memoryRing();
  const objects = new ObjectStore(
    ring,
    new GcQueue(ring, 1000),
    { blockSize: 64 * 1024, inFlightMax: 2, objectBytesMax: 1 << 30, inlineBytesMax: 1024 },
    () => 1_700_000_000_000,
  );
  const newObject = (versionId: string, encryption: ReturnType<typeof customerSealing>) => ({
    versionId,
    bucketId: 'b1',
    key: versionId,
    headers: { contentType: 'application/octet-stream' },
    metadata: {},
    checksums: {},
    encryption: encryption.record,
  });

  it.each([
    ['blocks', 64 * 1024 * 3 + 1234],
    ['inline', 700],
  ])('stores %s sealed and reads any range back', async (_kind, size) => {
    const plain = randomBytes(size);
    const sealing = customerSealing(randomBytes(32), randomBytes, 4096);
    const open = { record: sealing.record, dataKey: sealing.dataKey };
    const versionId = `v-${size}`;
    const body = Readable.from([plain.subarray(0, 100), plain.subarray(100)]);
    const manifest = await objects.put(
      newObject(versionId, sealing),
      body,
      () => {},
      undefined,
      open,
    );
    expect(manifest.size).toBe(size);
    const stored = manifest.inline ?? (await ring.get(KEYSPACES.blocks, blockKey(versionId, 0)))!;
    expect(stored.includes(plain.subarray(0, 32))).toBe(false);
    for (const [start, end] of [
      [0, size - 1],
      [5000 % size, size - 2],
      [size - 1, size - 1],
    ] as const) {
      const got = await collect(objects.read(manifest, start, end, open));
      expect(got.equals(plain.subarray(start, end + 1))).toBe(true);
    }
    expect(() => objects.read(manifest, 0, 1)).toThrow(KeyRequiredError);
  });

  it('a tampered stored block fails the read instead of returning its bytes', async () => {
    const plain = randomBytes(64 * 1024 * 2);
    const sealing = customerSealing(randomBytes(32), randomBytes, 4096);
    const open = { record: sealing.record, dataKey: sealing.dataKey };
    const manifest = await objects.put(
      newObject('v-t', sealing),
      Readable.from([plain]),
      () => {},
      undefined,
      open,
    );
    const stored = (await ring.get(KEYSPACES.blocks, blockKey('v-t', 1)))!;
    const bad = Buffer.from(stored);
    bad[10] = bad[10]! ^ 0xff;
    await ring.put(KEYSPACES.blocks, blockKey('v-t', 1), '', bad);
    await expect(collect(objects.read(manifest, 0, plain.length - 1, open))).rejects.toThrow(
      SealedChunkError,
    );
  });
});
