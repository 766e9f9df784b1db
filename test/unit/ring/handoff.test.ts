/**
 * Handoff between two in-memory nodes: every item arrives; a transfer interrupted by a
 * failure and a restart of the sender resumes from its checkpoint rather than from zero;
 * and a write during the transfer reaches the next owner.
 */
import { describe, expect, it } from 'vitest';
import { singleNodeRing, type Ring } from '../../../ring/core/ring.js';
import { HandoffManager } from '../../../ring/node/handoff.js';
import { HintedHandoff } from '../../../ring/node/hinted-handoff.js';
import { ItemStore } from '../../../ring/node/item-store.js';
import { storageNodeHandler } from '../../../ring/node/storage-node.js';
import { vnodeRouter } from '../../../ring/node/vnode-router.js';
import type { NodeRequest } from '../../../ring/transport/messages.js';
import { InProcessTransport } from '../../../ring/transport/transport.js';
import { memoryItemStore } from '../../helpers/scratch-dir.js';

const Q = 8;
const options = {
  transferLimit: 2,
  bytesPerSecondMax: 1e12,
  batchItemsMax: 10,
  batchBytesMax: 1 << 20,
  timeoutMs: 1000,
  dropDelayMs: 60_000,
};

function movingRing(): Ring {
  const base = singleNodeRing('a', Q);
  return {
    ...base,
    members: [...base.members, { nodeId: 'b', status: 'valid', address: '' }],
    nextOwners: base.nextOwners.map((_, p) => (p === 3 ? 'b' : null)),
  };
}

function setup() {
  const stores = { a: newStore('a'), b: newStore('b') };
  const transport = new InProcessTransport();
  const received: number[] = [];
  transport.register('b', async (request: NodeRequest) => {
    if (request.op === 'handoff-batch') received.push(request.items.length);
    return storageNodeHandler(stores.b, Q)(request);
  });
  return { stores, transport, received };
}

function newStore(name: string) {
  return memoryItemStore(`handoff-${name}`);
}

const item = (n: number) => ({
  partition: 3,
  keyspace: 'blocks',
  pk: Buffer.from('pk'),
  sk: Buffer.from(String(n).padStart(4, '0')),
});

function manager(store: ItemStore, transport: InProcessTransport, ring: Ring, done: () => void) {
  const source = {
    nodeId: 'a',
    ring,
    reportComplete: async (partition: number, to: string) => {
      const owners = [...source.ring.owners];
      owners[partition] = to;
      source.ring = { ...source.ring, owners, nextOwners: source.ring.nextOwners.map(() => null) };
      done();
    },
  };
  return new HandoffManager(store, source, transport, options, Date.now);
}

describe('handoff', () => {
  it('resumes an interrupted transfer from its checkpoint after a restart', async () => {
    const { stores, transport, received } = setup();
    for (let n = 0; n < 95; n++) await stores.a.put(item(n), Buffer.from(`v${n}`));
    const ring = movingRing();
    let calls = 0;
    const flaky = new InProcessTransport();
    flaky.register('b', async (request) => {
      if (++calls > 4) throw new Error('network down');
      return transport.call('b', request);
    });
    const first = manager(stores.a, flaky, ring, () => undefined);
    first.schedule();
    while (calls <= 4) await new Promise((r) => setTimeout(r, 10));
    first.stop();
    expect(received).toEqual([10, 10, 10, 10]);

    let completed = false;
    const second = manager(stores.a, transport, ring, () => (completed = true));
    second.schedule();
    while (!completed) await new Promise((r) => setTimeout(r, 10));
    second.stop();
    expect(received.reduce((a, b) => a + b)).toBe(95);
    expect(received.length).toBe(4 + 6);
    for (let n = 0; n < 95; n++) {
      expect((await stores.b.get(item(n)))?.toString()).toBe(`v${n}`);
    }
  });

  it('forwards a write made during the transfer to the next owner', async () => {
    const { stores, transport } = setup();
    const ring = movingRing();
    const handoff = manager(stores.a, transport, ring, () => undefined);
    const hints = new HintedHandoff(
      stores.a,
      { nodeId: 'a', ring, isUp: () => true },
      transport,
      handoff.locks,
      options,
    );
    const router = vnodeRouter({
      nodeId: 'a',
      ring: () => ring,
      local: storageNodeHandler(stores.a, Q),
      handoff,
      hints,
      transport,
      timeoutMs: 1000,
    });
    const reply = await router({ op: 'put', item: item(7), value: Buffer.from('late write') });
    expect(reply.ok).toBe(true);
    expect((await stores.b.get(item(7)))?.toString()).toBe('late write');
    const owners = [...ring.owners];
    owners[5] = 'b';
    const elsewhere = vnodeRouter({
      nodeId: 'a',
      ring: () => ({ ...ring, owners }),
      local: storageNodeHandler(stores.a, Q),
      handoff,
      hints,
      transport,
      timeoutMs: 1000,
    });
    const wrong = await elsewhere({ op: 'get', item: { ...item(1), partition: 5 } });
    expect(wrong).toMatchObject({ ok: false, kind: 'wrong-owner' });
    handoff.stop();
  });

  it('keeps a fallback write as a hint and hands it back once the primary is up', async () => {
    const { stores, transport } = setup();
    const owners = [...singleNodeRing('b', Q).owners];
    const ring: Ring = {
      ...singleNodeRing('b', Q),
      owners,
      members: ['a', 'b'].map((nodeId) => ({ nodeId, status: 'valid' as const, address: '' })),
    };
    let bUp = false;
    const source = { nodeId: 'a', ring, isUp: (id: string) => id !== 'b' || bUp };
    const handoff = manager(stores.a, transport, ring, () => undefined);
    const hints = new HintedHandoff(stores.a, source, transport, handoff.locks, options);
    const router = vnodeRouter({
      nodeId: 'a',
      ring: () => ring,
      local: storageNodeHandler(stores.a, Q),
      handoff,
      hints,
      transport,
      timeoutMs: 1000,
    });
    const write = { op: 'put' as const, item: item(1), value: Buffer.from('hint'), fallback: true };
    expect((await router(write)).ok).toBe(true);
    expect(hints.isHinted(3)).toBe(true);
    await hints.tick();
    expect(await stores.b.get(item(1))).toBeUndefined();
    bUp = true;
    await hints.tick();
    for (let i = 0; i < 100 && hints.isHinted(3); i++) await new Promise((r) => setTimeout(r, 5));
    expect((await stores.b.get(item(1)))?.toString()).toBe('hint');
    expect(await stores.a.get(item(1))).toBeUndefined();
    expect(hints.isHinted(3)).toBe(false);
    handoff.stop();
  });
});
