/**
 * Anti-entropy between two in-memory nodes: a replica that lost its data (wiped) gets
 * every versioned and immutable item back through exchanges, and diverged versioned
 * values are merged on both sides, never overwritten.
 */
import { describe, expect, it } from 'vitest';
import { emptyVersioned, update } from '../../../ring/core/dvv.js';
import { partitionOf, ringIndex } from '../../../ring/core/hash.js';
import type { Ring } from '../../../ring/core/ring.js';
import { AntiEntropy } from '../../../ring/node/anti-entropy.js';
import { storageNodeHandler } from '../../../ring/node/storage-node.js';
import { VersionedItems } from '../../../ring/node/versioned-item.js';
import { decodeVersioned, encodeVersioned } from '../../../ring/transport/versioned-codec.js';
import type { NodeRequest } from '../../../ring/transport/messages.js';
import { InProcessTransport } from '../../../ring/transport/transport.js';
import { memoryItemStore } from '../../helpers/scratch-dir.js';

const Q = 8;
const ring: Ring = {
  partitionCount: Q,
  owners: Array.from({ length: Q }, (_, p) => (p % 2 === 0 ? 'a' : 'b')),
  nextOwners: Array.from({ length: Q }, () => null),
  members: ['a', 'b'].map((nodeId) => ({ nodeId, status: 'valid' as const, address: '' })),
  claimant: 'a',
  epoch: 1,
  vclock: { a: 1 },
};

function node(name: string, transport: InProcessTransport) {
  const store = memoryItemStore(`aae-${name}`);
  const versioned = new VersionedItems(store, name);
  const source = { nodeId: name, ring, isUp: () => true };
  const aae = new AntiEntropy(store, versioned, source, transport, { nVal: 2, timeoutMs: 1000 });
  const local = storageNodeHandler(store, Q, versioned);
  transport.register(name, (request: NodeRequest) =>
    request.op === 'aae-tree' || request.op === 'aae-keys' ? aae.answer(request) : local(request),
  );
  return { store, versioned, aae };
}

/** The item address of `sk` under pk on the replica partition `i` (0 or 1) of its preflist. */
function address(keyspace: string, pk: string, sk: string, i: number) {
  const primary = partitionOf(ringIndex(keyspace, pk), Q);
  return { partition: (primary + i) % Q, keyspace, pk: Buffer.from(pk), sk: Buffer.from(sk) };
}

function replicaIndexOn(nodeName: string, keyspace: string, pk: string): number {
  const primary = partitionOf(ringIndex(keyspace, pk), Q);
  return ring.owners[primary] === nodeName ? 0 : 1;
}

describe('anti-entropy', () => {
  it('restores a wiped replica and merges diverged values on both sides', async () => {
    const transport = new InProcessTransport();
    const a = node('a', transport);
    const b = node('b', transport);
    await a.aae.start();
    await b.aae.start();
    for (let i = 0; i < 20; i++) {
      const pk = `bucket-${i % 3}`;
      const state = update(emptyVersioned<Buffer | null>(), {}, 'a', Buffer.from(`v${i}`));
      await a.store.put(
        address('manifests', pk, `k${i}`, replicaIndexOn('a', 'manifests', pk)),
        encodeVersioned(state),
      );
      const block = `ver${i}:0`;
      await a.store.put(
        address('blocks', block, '', replicaIndexOn('a', 'blocks', block)),
        Buffer.from(`block ${i}`),
      );
    }
    const pk = 'bucket-0';
    const onB = address('manifests', pk, 'shared', replicaIndexOn('b', 'manifests', pk));
    const onA = address('manifests', pk, 'shared', replicaIndexOn('a', 'manifests', pk));
    await a.versioned.coordinate(onA, Buffer.from('from a'), {});
    await b.versioned.coordinate(onB, Buffer.from('from b'), {});

    for (let round = 0; round < Q * 2 * 2; round++) {
      await a.aae.exchangeOnce();
      await b.aae.exchangeOnce();
    }
    for (let i = 0; i < 20; i++) {
      const pkI = `bucket-${i % 3}`;
      const value = await b.store.get(
        address('manifests', pkI, `k${i}`, replicaIndexOn('b', 'manifests', pkI)),
      );
      expect(value && decodeVersioned(value).siblings[0]!.value?.toString()).toBe(`v${i}`);
      const block = `ver${i}:0`;
      const data = await b.store.get(
        address('blocks', block, '', replicaIndexOn('b', 'blocks', block)),
      );
      expect(data?.toString()).toBe(`block ${i}`);
    }
    const merged = [await a.versioned.read(onA), await b.versioned.read(onB)];
    for (const state of merged) {
      expect(state.siblings.map((s) => s.value?.toString()).sort()).toEqual(['from a', 'from b']);
    }
    expect(a.aae.stats.keysRepaired + b.aae.stats.keysRepaired).toBeGreaterThanOrEqual(41);
  });
});
