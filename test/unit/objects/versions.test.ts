/**
 * The pure parts of versioning (version id order, the versions keyspace's key encoding,
 * which sibling is current) as properties, and the version store over an in-memory ring:
 * the greatest order id is current whatever order the commits land in, and no removed
 * version's blocks are leaked or collected early.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import {
  blockKey,
  encodeManifest,
  newestIndex,
  type Manifest,
} from '../../../src/objects/manifest.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import {
  invertVersionId,
  isVersionId,
  versionIdGenerator,
} from '../../../src/objects/version-id.js';
import { parseVersionSortKey, versionSortKey } from '../../../src/objects/version-keys.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const hexId = fc
  .array(fc.integer({ min: 0, max: 15 }), { minLength: 26, maxLength: 26 })
  .map((digits) => digits.map((d) => d.toString(16)).join(''));
const noNulKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !k.includes('\u0000'));

describe('version ids', () => {
  it('strictly increase, fixed width, whatever the clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 44 }), { minLength: 2 }), (times) => {
        let at = 0;
        const next = versionIdGenerator(() => times[at++ % times.length]!, 'a1b2c3d4');
        const ids = times.map(() => next());
        expect(ids.every(isVersionId)).toBe(true);
        for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
      }),
    );
  });

  it('of two front ends never collide, even in the same millisecond', () => {
    const a = versionIdGenerator(() => 5, '00000001');
    const b = versionIdGenerator(() => 5, '00000002');
    const ids = new Set([a(), a(), b(), b()]);
    expect(ids.size).toBe(4);
  });

  it('invert to the opposite order and back', () => {
    fc.assert(
      fc.property(hexId, hexId, (x, y) => {
        expect(invertVersionId(invertVersionId(x))).toBe(x);
        expect(Math.sign(invertVersionId(x).localeCompare(invertVersionId(y)))).toBe(
          Math.sign(y.localeCompare(x)),
        );
      }),
    );
  });
});

describe('version sort keys', () => {
  it('order by key bytes, then newest first, and parse back', () => {
    fc.assert(
      fc.property(noNulKey, hexId, noNulKey, hexId, (k1, id1, k2, id2) => {
        const a = versionSortKey(k1, id1);
        const b = versionSortKey(k2, id2);
        expect(parseVersionSortKey(a)).toEqual({ key: k1, orderId: id1 });
        const byKey = Buffer.compare(Buffer.from(k1), Buffer.from(k2));
        const expected = byKey !== 0 ? byKey : Math.sign(id2.localeCompare(id1));
        expect(Math.sign(Buffer.compare(a, b))).toBe(expected);
      }),
    );
  });
});

const version = (orderId: string | undefined, lastModifiedMs: number): Manifest => ({
  format: 1,
  versionId: `v-${orderId ?? 'none'}-${lastModifiedMs}`,
  bucketId: 'b',
  key: 'k',
  size: 0,
  etag: '',
  lastModifiedMs,
  blockSize: 4,
  blockCount: 0,
  headers: { contentType: 'x' },
  metadata: {},
  checksums: {},
  ...(orderId ? { orderId } : {}),
});

describe('current-version choice', () => {
  it('is the greatest order id, whatever the write clocks say', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hexId, { minLength: 1, maxLength: 6 }), fc.nat(), (ids, ms) => {
        const siblings = ids.map((id, i) => version(id, ms - i * 1000));
        const values = siblings.map(encodeManifest);
        const best = siblings[newestIndex(siblings, values)]!;
        expect(best.orderId).toBe([...ids].sort().at(-1));
      }),
    );
  });
});

function setup() {
  let now = 1_000_000;
  const ring = memoryRing();
  const gc = new GcQueue(ring, 1000);
  const options = { blockSize: 4, inFlightMax: 2, objectBytesMax: 1 << 20, inlineBytesMax: -1 };
  const objects = new ObjectStore(ring, gc, options, () => now);
  const put = (orderId: string, body: string, extra: Partial<Manifest> = {}) =>
    objects.put(
      {
        versionId: `blocks-${orderId}`,
        bucketId: 'b',
        key: 'k',
        headers: { contentType: 'x' },
        metadata: {},
        checksums: {},
        orderId,
        ...extra,
      },
      Readable.from([Buffer.from(body)]),
      () => undefined,
    );
  const collect = async () => {
    now += 10_000;
    return gc.collectDue(now);
  };
  const hasBlock = async (orderId: string) =>
    (await ring.get(KEYSPACES.blocks, blockKey(`blocks-${orderId}`, 0))) !== undefined;
  return { objects, put, collect, hasBlock };
}

const id = (n: number) => n.toString(16).padStart(26, '0');

describe('VersionStore', () => {
  it('makes the greatest order id current whatever order the commits land in', async () => {
    const { objects, put } = setup();
    for (const n of [3, 1, 5, 2, 4]) await put(id(n), `body-${n}`);
    expect((await objects.head('b', 'k'))?.orderId).toBe(id(5));
    const listed = await objects.versions.keyVersions('b', 'k');
    expect(listed.map((v) => v.manifest.orderId)).toEqual([5, 4, 3, 2, 1].map(id));
  });

  it('collects only the blocks of removed versions and an overwritten null version', async () => {
    const { objects, put, collect, hasBlock } = setup();
    await put(id(1), 'first version');
    await put(id(2), 'second version');
    await put(id(3), 'a null version', { nullVersion: true });
    await put(id(4), 'next null version', { nullVersion: true });
    expect(await collect()).toBe(1);
    expect(await hasBlock(id(3))).toBe(false);
    expect([await hasBlock(id(1)), await hasBlock(id(2)), await hasBlock(id(4))]).toEqual([
      true,
      true,
      true,
    ]);
    await objects.versions.deleteVersion('b', 'k', 'null');
    expect((await objects.head('b', 'k'))?.orderId).toBe(id(2));
    await objects.versions.deleteVersion('b', 'k', id(1));
    await objects.versions.deleteVersion('b', 'k', id(2));
    expect(await objects.head('b', 'k')).toBeUndefined();
    expect(await collect()).toBe(3);
    for (const n of [1, 2, 4]) expect(await hasBlock(id(n))).toBe(false);
    expect(await objects.versions.any('b')).toBe(false);
  });

  it('leaves no current object after concurrent deletes of every version', async () => {
    for (let round = 0; round < 20; round++) {
      const { objects, put } = setup();
      const ids = [1, 2, 3, 4, 5].map((n) => id(round * 10 + n));
      for (const orderId of ids) await put(orderId, `body ${orderId}`);
      await Promise.all(ids.map((orderId) => objects.versions.deleteVersion('b', 'k', orderId)));
      expect(await objects.versions.current('b', 'k')).toBeUndefined();
      expect(await objects.versions.any('b')).toBe(false);
    }
  });

  it('keeps the newest version current under concurrent puts and deletes', async () => {
    const { objects, put } = setup();
    for (const n of [1, 2, 3]) await put(id(n), `v${n}`);
    await Promise.all([
      put(id(4), 'v4'),
      objects.versions.deleteVersion('b', 'k', id(3)),
      put(id(5), 'v5'),
      objects.versions.deleteVersion('b', 'k', id(1)),
    ]);
    await objects.versions.deleteVersion('b', 'k', id(5));
    expect((await objects.versions.current('b', 'k'))?.orderId).toBe(id(4));
  });

  it('adopts an unversioned object as its null version record, racing a put', async () => {
    const newer = 'f'.repeat(12) + '0'.repeat(14);
    for (const racing of [false, true]) {
      const { objects, put, collect, hasBlock } = setup();
      await put(id(1), 'written before versioning', { orderId: undefined as never });
      const legacy = await objects.head('b', 'k');
      expect(legacy?.orderId).toBeUndefined();
      const adopting = objects.versions.adoptNullVersion('b', 'k');
      const [adopted] = await Promise.all([adopting, racing ? put(newer, 'newer') : undefined]);
      expect(adopted).toMatchObject({ versionId: legacy!.versionId, nullVersion: true });
      const listed = await objects.versions.keyVersions('b', 'k');
      const nulls = listed.filter((v) => v.manifest.nullVersion);
      expect(nulls.map((v) => v.manifest.versionId)).toEqual([legacy!.versionId]);
      const current = await objects.versions.current('b', 'k');
      expect(current?.orderId).toBe(racing ? newer : adopted!.orderId);
      // Its blocks are the record's now: nothing is collected.
      expect(await collect()).toBe(0);
      expect(await hasBlock(id(1))).toBe(true);
      expect(await objects.versions.adoptNullVersion('b', 'k')).toEqual(adopted);
      expect(await objects.versions.adoptNullVersion('b', 'other')).toBeUndefined();
    }
  });
});
