/**
 * Fixtures for the deleted-bucket collector and split-mark tests: an object layer over a
 * one-node memory ring with a settable clock, and records written as stanchion would.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { GcQueue } from '../../src/objects/gc-queue.js';
import { uuidV7 } from '../../src/objects/ids.js';
import { MultipartStore } from '../../src/objects/multipart-store.js';
import { ObjectStore } from '../../src/objects/object-store.js';
import { memoryRing } from './memory-ring.js';

export const LEEWAY_MS = 1000;
export const OWNER = { id: 'u1', keyId: 'AKIDU1' };

/** The stores over a fresh memory ring. */
export function leakSetup() {
  let now = Date.UTC(2026, 0, 1);
  const ring = memoryRing();
  const gc = new GcQueue(ring, LEEWAY_MS);
  const clock = () => now;
  const sizes = { blockSize: 4, inFlightMax: 3, inlineBytesMax: 0 };
  const objects = new ObjectStore(ring, gc, { ...sizes, objectBytesMax: 1 << 30 }, clock);
  const options = { ...sizes, partBytesMax: 1 << 30, partBytesMin: 1 };
  const multipart = new MultipartStore(ring, gc, objects, options, clock);
  return {
    ring,
    gc,
    objects,
    multipart,
    newId: () => uuidV7(now, randomUUID),
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}
export type LeakSetup = ReturnType<typeof leakSetup>;

const json = (value: object) => Buffer.from(JSON.stringify(value));

/** The owner in the user index, as stanchion projects it. */
export async function seedOwner(s: LeakSetup): Promise<void> {
  await s.ring.putVersioned(KEYSPACES.userIndex, 'all', OWNER.keyId, json(OWNER), {});
}

/** A bucket record in the owner's list (`deleted`: the marker a delete leaves). */
export async function seedBucket(s: LeakSetup, name: string, id: string, deleted = false) {
  const bucket = { id, name, ownerId: OWNER.id, createdAtMs: 0, ...(deleted ? { deleted } : {}) };
  await s.ring.put(KEYSPACES.userBuckets, OWNER.id, name, json(bucket));
}

/** Stanchion's record of a deleted id (what it writes since the collector exists). */
export async function recordDeleted(s: LeakSetup, name: string, id: string) {
  const bucket = { id, name, ownerId: OWNER.id, createdAtMs: 0, deleted: true };
  await s.ring.put(KEYSPACES.deletedBuckets, id, '', json(bucket));
}

/** A 12-byte object (3 blocks) under `bucketId`. */
export function putObject(s: LeakSetup, bucketId: string, key: string) {
  const object = { versionId: s.newId(), bucketId, key, headers: { contentType: 'x' } };
  return s.objects.put(
    { ...object, metadata: {}, checksums: {} },
    Readable.from([Buffer.from(`${key}-123456789`.slice(0, 12))]),
    () => undefined,
  );
}

/** An upload left open with one 8-byte part. */
export async function openUpload(s: LeakSetup, bucketId: string, key: string) {
  const upload = await s.multipart.create({
    uploadId: s.newId(),
    bucketId,
    key,
    ownerId: OWNER.id,
    headers: { contentType: 'x' },
    metadata: {},
  });
  const part = { partNumber: 1, versionId: s.newId() };
  await s.multipart.putPart(upload, part, Readable.from([Buffer.from('12345678')]), () => ({}));
  return { upload, part };
}

/** Every record of `keyspace` under `pk`. */
export async function recordsUnder(s: LeakSetup, keyspace: string, pk: string) {
  return s.ring.scan(keyspace, pk, { limit: 1000 });
}
