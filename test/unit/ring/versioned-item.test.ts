/**
 * Versioned items on one node: coordinated writes with stale contexts become siblings, a
 * write with the read context replaces them, merges never lose a write, and a tombstone is
 * reaped only while it is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { contextOf, emptyVersioned, update, versionDigest } from '../../../ring/core/dvv.js';
import { VersionedItems } from '../../../ring/node/versioned-item.js';
import { memoryItemStore } from '../../helpers/scratch-dir.js';

const address = { partition: 1, keyspace: 'manifests', pk: Buffer.from('b'), sk: Buffer.from('k') };

function items(actor = 'n1') {
  const store = memoryItemStore('vi');
  return { store, versioned: new VersionedItems(store, actor) };
}

const values = (state: { siblings: readonly { value: Buffer | null }[] }) =>
  state.siblings.map((s) => (s.value === null ? null : s.value.toString())).sort();

describe('VersionedItems', () => {
  it('keeps concurrent writes as siblings and replaces what a write has seen', async () => {
    const { versioned } = items();
    await versioned.coordinate(address, Buffer.from('a'), {});
    await versioned.coordinate(address, Buffer.from('b'), {});
    const both = await versioned.read(address);
    expect(values(both)).toEqual(['a', 'b']);
    const after = await versioned.coordinate(address, Buffer.from('c'), contextOf(both));
    expect(values(after)).toEqual(['c']);
  });

  it('merges a replica state without losing either side', async () => {
    const { versioned } = items('n1');
    await versioned.coordinate(address, Buffer.from('local'), {});
    const remote = update(emptyVersioned<Buffer | null>(), {}, 'n2', Buffer.from('remote'));
    const merged = await versioned.merge(address, remote);
    expect(values(merged)).toEqual(['local', 'remote']);
    expect(values(await versioned.merge(address, remote))).toEqual(['local', 'remote']);
  });

  it('reaps an unchanged tombstone, but not one a newer write replaced', async () => {
    const { versioned, store } = items();
    const written = await versioned.coordinate(address, Buffer.from('v'), {});
    const tomb = await versioned.coordinate(address, null, contextOf(written));
    const digest = versionDigest(tomb);
    const rewritten = await versioned.coordinate(address, Buffer.from('again'), contextOf(tomb));
    expect(await versioned.reap(address, digest)).toBe(false);
    const tomb2 = await versioned.coordinate(address, null, contextOf(rewritten));
    expect(await versioned.reap(address, versionDigest(tomb2))).toBe(true);
    expect(await store.get(address)).toBeUndefined();
  });
});
