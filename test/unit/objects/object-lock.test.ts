/**
 * Object lock's pure rules (objects/object-lock.ts) as properties, and the version store
 * over an in-memory ring refusing to remove a locked version in each of the three places a
 * version is removed (deleteVersion, a suspended overwrite of a null version, the sweep of
 * a deleted bucket), its blocks never queued for GC until the lock has passed.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { GcQueue } from '../../../src/objects/gc-queue.js';
import { blockKey, type Manifest } from '../../../src/objects/manifest.js';
import {
  defaultRetentionOf,
  isLocked,
  ObjectLockedError,
  removalRefusal,
  retentionChangeRefusal,
  type Retention,
} from '../../../src/objects/object-lock.js';
import { ObjectStore } from '../../../src/objects/object-store.js';
import { newestVersionRecord } from '../../../src/objects/version-siblings.js';
import { decodeManifest, encodeManifest } from '../../../src/objects/manifest.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const mode = fc.constantFrom<Retention['mode']>('GOVERNANCE', 'COMPLIANCE');
const retention = fc.record({ mode, untilMs: fc.integer({ min: 0, max: 2 ** 40 }) });
const now = fc.integer({ min: 0, max: 2 ** 40 });

describe('object lock rules', () => {
  it('a legal hold refuses removal whatever else; no lock never refuses', () => {
    fc.assert(
      fc.property(fc.option(retention, { nil: undefined }), now, fc.boolean(), (r, t, bypass) => {
        const held = { legalHold: true as const, ...(r ? { retention: r } : {}) };
        expect(removalRefusal(held, t, bypass)).toBe('legal-hold');
        expect(removalRefusal({}, t, bypass)).toBeUndefined();
      }),
    );
  });

  it('retention refuses until its date; only GOVERNANCE yields to the bypass', () => {
    fc.assert(
      fc.property(retention, now, fc.boolean(), (r, t, bypass) => {
        const refusal = removalRefusal({ retention: r }, t, bypass);
        if (r.untilMs <= t) expect(refusal).toBeUndefined();
        else if (r.mode === 'COMPLIANCE') expect(refusal).toBe('compliance');
        else expect(refusal).toBe(bypass ? undefined : 'governance');
        expect(isLocked({ retention: r }, t)).toBe(r.untilMs > t);
      }),
    );
  });

  it('COMPLIANCE is only ever kept or extended, bypass or not', () => {
    fc.assert(
      fc.property(retention, fc.option(retention, { nil: undefined }), fc.boolean(), (o, n, b) => {
        const old = { ...o, mode: 'COMPLIANCE' as const };
        const t = old.untilMs - 1;
        const allowed = retentionChangeRefusal(old, n, t, b) === undefined;
        expect(allowed).toBe(n?.mode === 'COMPLIANCE' && n.untilMs >= old.untilMs);
      }),
    );
  });

  it('GOVERNANCE extends freely; shortening, removal or a new mode need the bypass', () => {
    fc.assert(
      fc.property(retention, fc.option(retention, { nil: undefined }), fc.boolean(), (o, n, b) => {
        const old = { ...o, mode: 'GOVERNANCE' as const };
        const t = old.untilMs - 1;
        const extension = n?.mode === 'GOVERNANCE' && n.untilMs >= old.untilMs;
        const allowed = retentionChangeRefusal(old, n, t, b) === undefined;
        expect(allowed).toBe(extension || b);
      }),
    );
  });

  it('a retention that has passed constrains nothing', () => {
    fc.assert(
      fc.property(retention, fc.option(retention, { nil: undefined }), (old, next) => {
        expect(retentionChangeRefusal(old, next, old.untilMs, false)).toBeUndefined();
      }),
    );
  });

  it('default retention counts days from the write, years by the calendar', () => {
    const at = Date.UTC(2024, 1, 29, 12);
    expect(defaultRetentionOf({ mode: 'GOVERNANCE', days: 2 }, at)).toEqual({
      mode: 'GOVERNANCE',
      untilMs: at + 2 * 86_400_000,
    });
    expect(defaultRetentionOf({ mode: 'COMPLIANCE', years: 1 }, at).untilMs).toBe(
      Date.UTC(2025, 2, 1, 12),
    );
  });
});

function setup() {
  const clock = { now: 1_000_000 };
  const ring = memoryRing();
  const gc = new GcQueue(ring, 1000);
  const options = { blockSize: 4, inFlightMax: 2, objectBytesMax: 1 << 20, inlineBytesMax: -1 };
  const objects = new ObjectStore(ring, gc, options, () => clock.now);
  const put = (n: number, extra: Partial<Manifest> = {}) =>
    objects.put(
      {
        versionId: `blocks-${n}`,
        bucketId: 'b',
        key: 'k',
        headers: { contentType: 'x' },
        metadata: {},
        checksums: {},
        orderId: n.toString(16).padStart(26, '0'),
        ...extra,
      },
      Readable.from([Buffer.from(`body of ${n}`)]),
      () => undefined,
    );
  const hasBlock = async (n: number) =>
    (await ring.get(KEYSPACES.blocks, blockKey(`blocks-${n}`, 0))) !== undefined;
  const collect = async () => gc.collectDue(clock.now + 10_000);
  return { objects, put, hasBlock, collect, clock };
}

const id = (n: number) => n.toString(16).padStart(26, '0');

describe('VersionStore with object lock', () => {
  it('refuses to delete a locked version, the bypass only for GOVERNANCE', async () => {
    const { objects, put, hasBlock, collect, clock } = setup();
    const until = clock.now + 60_000;
    await put(1, { retention: { mode: 'COMPLIANCE', untilMs: until } });
    await put(2, { retention: { mode: 'GOVERNANCE', untilMs: until } });
    await put(3, { legalHold: true });
    const del = (n: number, bypassGovernance = false) =>
      objects.versions.deleteVersion('b', 'k', id(n), { bypassGovernance });
    await expect(del(1, true)).rejects.toBeInstanceOf(ObjectLockedError);
    await expect(del(2)).rejects.toBeInstanceOf(ObjectLockedError);
    await expect(del(3, true)).rejects.toBeInstanceOf(ObjectLockedError);
    expect(await collect()).toBe(0);
    expect((await objects.versions.keyVersions('b', 'k')).length).toBe(3);
    await del(2, true);
    clock.now = until;
    await del(1);
    expect(await collect()).toBe(2);
    expect([await hasBlock(1), await hasBlock(2), await hasBlock(3)]).toEqual([false, false, true]);
  });

  it('a suspended write does not replace a locked null version', async () => {
    const { objects, put, hasBlock } = setup();
    await put(1, { nullVersion: true, legalHold: true });
    await expect(put(2, { nullVersion: true })).rejects.toBeInstanceOf(ObjectLockedError);
    expect((await objects.versions.get('b', 'k', 'null'))?.orderId).toBe(id(1));
    expect(await hasBlock(1)).toBe(true);
  });

  it('the sweep of a deleted bucket leaves locked versions and their blocks', async () => {
    const { objects, put, hasBlock, collect, clock } = setup();
    await put(1, { retention: { mode: 'GOVERNANCE', untilMs: clock.now + 1 } });
    await put(2);
    await put(3, { legalHold: true });
    expect(await objects.versions.sweepBucket('b', 1)).toBe(1);
    await collect();
    expect([await hasBlock(1), await hasBlock(2), await hasBlock(3)]).toEqual([true, false, true]);
    clock.now += 1;
    expect(await objects.versions.sweepBucket('b', 1)).toBe(1);
    expect((await objects.versions.keyVersions('b', 'k')).map((v) => v.manifest.orderId)).toEqual([
      id(3),
    ]);
  });
});

describe('version record siblings', () => {
  const record = (lock: { retention?: Retention; legalHold?: boolean }, tagged: string) =>
    encodeManifest({
      format: 1,
      versionId: 'v',
      bucketId: 'b',
      key: 'k',
      size: 0,
      etag: '',
      lastModifiedMs: 1,
      blockSize: 4,
      blockCount: 0,
      headers: { contentType: 'x' },
      metadata: {},
      checksums: {},
      orderId: id(1),
      tags: [{ key: 't', value: tagged }],
      ...(lock.retention ? { retention: lock.retention } : {}),
      ...(lock.legalHold ? { legalHold: true as const } : {}),
    });
  const lock = fc.record({
    retention: fc.option(retention, { nil: undefined }),
    legalHold: fc.boolean(),
  });

  it('never lose a lock: the strongest retention and any hold survive, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(lock, fc.string()), { minLength: 1, maxLength: 4 }), (ls) => {
        const values = ls.map(([l, t]) => record(l, t));
        const merged = decodeManifest(newestVersionRecord(values));
        const reversed = decodeManifest(newestVersionRecord([...values].reverse()));
        expect(merged).toEqual(reversed);
        expect(merged.legalHold === true).toBe(ls.some(([l]) => l.legalHold));
        const modes = ls.flatMap(([l]) => (l.retention ? [l.retention] : []));
        if (modes.length === 0) {
          expect(merged.retention).toBeUndefined();
          return;
        }
        // At least as strong as every sibling's: COMPLIANCE if any, until the latest date.
        const compliance = modes.some((r) => r.mode === 'COMPLIANCE');
        expect(merged.retention).toEqual({
          mode: compliance ? 'COMPLIANCE' : 'GOVERNANCE',
          untilMs: Math.max(...modes.map((r) => r.untilMs)),
        });
      }),
    );
  });
});
