/**
 * The embedded store's node comes from the one builder and runs the cluster path: a ring of
 * one member whose requests go through the vnode router (anti-entropy answers its tree
 * requests, hinted handoff its hint queries), with handoff, hints and anti-entropy present
 * and idle (their timers tick and do nothing), and its tombstones reaped by the shared
 * reaper in the router — the storage handler below it no longer reaps on its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RingClient } from '../../../ring/client.js';
import { partitionOf, ringIndex } from '../../../ring/core/hash.js';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { buildNode, type BuiltNode } from '../../../ring/node/build-node.js';
import { ItemStore } from '../../../ring/node/item-store.js';
import type { NodeTimers } from '../../../ring/node/node-timers.js';
import { storageNodeHandler } from '../../../ring/node/storage-node.js';
import { REAP_DELAY_MS } from '../../../ring/node/tombstone-reaper.js';
import { memoryBackend } from '../../../ring/storage/memory-backend.js';
import { StreamTransport } from '../../../ring/transport/rpc-stream-transport.js';
import { InternalClient } from '../../../ring/transport/internal-client.js';

/** Timers the test drives: intervals are recorded, sleeps wait for release(). */
function manualTimers() {
  const ticks: Array<{ intervalMs: number; tick: () => void }> = [];
  const sleeps: Array<{ ms: number; resolve: () => void }> = [];
  const timers: NodeTimers = {
    now: () => 1_000_000,
    every: (intervalMs, tick) => void ticks.push({ intervalMs, tick }),
    sleep: (ms) => new Promise((resolve) => sleeps.push({ ms, resolve })),
    cancelAll: () => {
      ticks.length = 0;
    },
  };
  const release = () => {
    for (const sleep of sleeps.splice(0)) sleep.resolve();
  };
  return { timers, ticks, sleeps, release };
}

const Q = 8;

function embeddedOptions(dataDir: string, timers: NodeTimers) {
  return {
    nodeId: 'node1@127.0.0.1',
    dataDir,
    partitionCount: Q,
    durability: 'none' as const,
    nVal: 1,
    handoff: { transferLimit: 2, bytesPerSecondMax: 1e9 },
    gossipIntervalMs: 1000,
    downAfterMs: 3000,
    aaeIntervalMs: 1000,
    metrics: { processMetrics: false },
    timers,
  };
}

function clientOf(node: BuiltNode): RingClient {
  return new RingClient({
    ring: () => node.manager.ring,
    upNodes: () => node.manager.upNodes(),
    transport: node.transport,
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 1000,
  });
}

/** The stored items of one manifest partition key, tombstones included (a raw scan). */
function stored(node: BuiltNode, pk: string) {
  const partition = partitionOf(ringIndex(KEYSPACES.manifests, pk), Q);
  const item = { partition, keyspace: KEYSPACES.manifests, pk: Buffer.from(pk) };
  return node.handle({ op: 'scan', item, limit: 10 });
}

describe('build-node: the embedded store is a ring of one on the cluster path', () => {
  let dataDir: string;
  let node: BuiltNode | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-build-node-'));
  });
  afterEach(async () => {
    await node?.close();
    node = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('goes through the vnode router; handoff, hints and anti-entropy idle', async () => {
    const manual = manualTimers();
    node = await buildNode(embeddedOptions(dataDir, manual.timers));
    expect(node.manager.ring.members.map((m) => m.nodeId)).toEqual(['node1@127.0.0.1']);
    // The router hands tree requests to anti-entropy (a bare storage handler refuses them).
    const tree = await node.handle({ op: 'aae-tree', partition: 0, primary: 0 });
    expect(tree.ok).toBe(true);
    expect(await node.handle({ op: 'holds-hints', partitions: [0, 1] })).toEqual({ ok: true });
    node.start();
    expect(manual.ticks.length).toBeGreaterThanOrEqual(2);
    await clientOf(node).put(KEYSPACES.manifests, 'b', 'k', Buffer.from('v'));
    for (const { tick } of manual.ticks) tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(node.aae.stats).toEqual({ exchanges: 0, keysRepaired: 0 });
    expect(node.handoff.status()).toEqual([]);
    const text = await node.metrics.render();
    expect(text).toMatch(/^cairn_ring_members 1$/m);
    expect(text).toMatch(/^cairn_handoff_transfers_active 0$/m);
    expect(text).toMatch(/^cairn_aae_exchanges_total 0$/m);
    expect(text).toMatch(/^cairn_hinted_handoff_delivered_items_total 0$/m);
  });

  it('reaps a tombstone written through it with the shared reaper', async () => {
    const manual = manualTimers();
    node = await buildNode(embeddedOptions(dataDir, manual.timers));
    const client = clientOf(node);
    await client.put(KEYSPACES.manifests, 'bucket-id', 'key', Buffer.from('manifest'));
    await client.delete(KEYSPACES.manifests, 'bucket-id', 'key');
    const before = await stored(node, 'bucket-id');
    expect(before.ok && 'items' in before && before.items.length).toBe(1);
    await vi.waitFor(() => expect(manual.sleeps.map((s) => s.ms)).toEqual([REAP_DELAY_MS]));
    manual.release();
    await vi.waitFor(async () => {
      const after = await stored(node!, 'bucket-id');
      expect(after.ok && 'items' in after && after.items).toEqual([]);
    });
  });

  it('the storage handler alone no longer reaps: the router is the one reaper', async () => {
    // Only the timers a reaper would use: the group commit's turn (setImmediate) stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    try {
      const store = new ItemStore(memoryBackend(), join(dataDir, 'blobs'), { sync: false });
      // Its blob directories are made in the background; afterEach removes dataDir after.
      await store.ready();
      const handle = storageNodeHandler(store, Q);
      const item = {
        partition: 1,
        keyspace: KEYSPACES.manifests,
        pk: Buffer.from('p'),
        sk: Buffer.from('s'),
      };
      const coordinate = {
        op: 'coordinate' as const,
        item,
        context: {},
        replicas: [],
        w: 1,
        pw: 0,
        coordinatorIsPrimary: true,
        timeoutMs: 1000,
      };
      await handle({ ...coordinate, value: Buffer.from('v') });
      await handle({ ...coordinate, value: null });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a cluster node is built the same way, only with the network transport', async () => {
    const manual = manualTimers();
    const client = new InternalClient({ cookie: 'a-secret-of-16-characters' });
    const options = embeddedOptions(dataDir, manual.timers);
    node = await buildNode({ ...options, network: { address: '127.0.0.1:9', client } });
    expect(node.transport).toBeInstanceOf(StreamTransport);
    expect(node.manager.addressOf(node.nodeId)).toBe('127.0.0.1:9');
    node.start();
    for (const { tick } of manual.ticks) tick();
    await new Promise((resolve) => setImmediate(resolve));
    // Alone, it is as idle as the embedded store: no exchange was counted.
    expect(node.aae.stats.exchanges).toBe(0);
  });
});
