/**
 * The world of the replication simulation (replication-sim.test.ts, replay.test.ts): five
 * in-process nodes (n_val=3, r=2, w=2) over a SimNetwork on virtual time, a seeded client
 * workload, and the checks. Everything a run does — faults, delays, timer firings, message
 * order — follows from its seed, so `runSeed` returns the same trace for the same seed.
 */
import { expect } from 'vitest';
import { RingClient, liveValues } from '../../ring/client.js';
import { claim } from '../../ring/core/claim.js';
import { sync, versionDigest } from '../../ring/core/dvv.js';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import type { Ring } from '../../ring/core/ring.js';
import { VirtualScheduler } from '../../ring/core/scheduler.js';
import { AntiEntropy } from '../../ring/node/anti-entropy.js';
import { HandoffManager } from '../../ring/node/handoff.js';
import { HintedHandoff } from '../../ring/node/hinted-handoff.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import { VersionedItems } from '../../ring/node/versioned-item.js';
import { decodeVersioned, type VersionedValue } from '../../ring/transport/versioned-codec.js';
import { vnodeRouter } from '../../ring/node/vnode-router.js';
import { seededRandom, SimNetwork } from './sim-transport.js';
import { memoryItemStore } from '../helpers/scratch-dir.js';

export const Q = 16;
export const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
export const ring: Ring = {
  partitionCount: Q,
  // Claimed like a real cluster: balanced, and any 4 consecutive partitions on distinct nodes.
  owners: claim(
    Array.from({ length: Q }, () => 'n1'),
    NODES,
  ),
  nextOwners: Array.from({ length: Q }, () => null),
  members: NODES.map((nodeId) => ({ nodeId, status: 'valid' as const, address: '' })),
  claimant: 'n1',
  epoch: 1,
  vclock: { n1: 1 },
};
const KEYSPACE = 'users';
const options = { batchItemsMax: 50, batchBytesMax: 1 << 20, timeoutMs: 1000 };

/** A run's network, clock and trace. */
export interface SimWorld {
  net: SimNetwork;
  sched: VirtualScheduler;
  trace: string[];
}

/** A fresh world for `seed`: every random draw of the run comes from `random`. */
export function simWorld(random: () => number): SimWorld {
  const trace: string[] = [];
  const sched = new VirtualScheduler({
    onFire: (f) => trace.push(`${f.atMs} fire ${f.label}#${f.seq}`),
  });
  const net = new SimNetwork(random, {
    scheduler: sched,
    delayMsMax: 5,
    trace: (line) => trace.push(line),
  });
  return { net, sched, trace };
}

/** One node as a cluster member runs it, on the world's network and clock. */
export function buildNode(nodeId: string, world: SimWorld) {
  const { net, sched } = world;
  const store = memoryItemStore(`sim-${nodeId}`, queueMicrotask);
  const transport = net.transportFor(nodeId);
  const source = {
    nodeId,
    ring,
    isUp: (id: string) => net.connected(nodeId, id),
    reportComplete: async () => undefined,
  };
  const versioned = new VersionedItems(store, nodeId);
  const handoff = new HandoffManager(
    store,
    source,
    transport,
    { ...options, transferLimit: 1, bytesPerSecondMax: 1e12, dropDelayMs: 1e9, scheduler: sched },
    () => sched.now(),
  );
  const hints = new HintedHandoff(store, source, transport, handoff.locks, options);
  const aae = new AntiEntropy(store, versioned, source, transport, { nVal: 3, timeoutMs: 1000 });
  const router = vnodeRouter({
    nodeId,
    ring: () => ring,
    handoff,
    hints,
    aae,
    transport,
    timeoutMs: 1000,
    local: storageNodeHandler(store, Q, versioned),
    sleep: (ms) => sched.sleep(ms, { label: 'reap-delay' }),
  });
  net.register(nodeId, router);
  return { nodeId, store, hints, aae };
}

type SimNode = ReturnType<typeof buildNode>;

/** The union of every replica's state of `key` (what no fault can take away). */
export async function unionOf(
  nodes: Array<Pick<SimNode, 'store'>>,
  key: string,
): Promise<VersionedValue> {
  const primary = partitionOf(ringIndex(KEYSPACE, key), Q);
  let union: VersionedValue = { siblings: [] };
  for (const node of nodes) {
    for (let p = 0; p < Q; p++) {
      const value = await node.store.get({
        partition: p,
        keyspace: KEYSPACE,
        pk: Buffer.from(key),
        sk: Buffer.alloc(0),
      });
      if (value) union = sync(union, decodeVersioned(value));
    }
  }
  void primary;
  return union;
}

/** Per key: acknowledged values no later acknowledged write has seen, and failed attempts. */
export interface KeyHistory {
  live: Set<string>;
  failed: Set<string>;
  /** Acknowledged values an unacknowledged write read: superseded only if it took effect. */
  maybe: Set<string>;
}

/** A client process's ring client, on the simulated network. */
export function makeClient(net: SimNetwork, name: string) {
  return new RingClient({
    ring: () => ring,
    upNodes: () => new Set(NODES.filter((id) => net.connected(name, id))),
    transport: net.transportFor(name),
    quorum: { nVal: 3, r: 2, w: 2 },
    timeoutMs: 1000,
  });
}

/** One client write: read (what it supersedes), then write with that context. */
export async function clientStep(
  client: RingClient,
  key: string,
  value: string | null,
  h: KeyHistory,
): Promise<boolean> {
  let seen: string[] = [];
  try {
    const read = await client.getVersioned(KEYSPACE, key);
    seen = read.values.map(String);
    const bytes = value === null ? null : Buffer.from(value);
    await client.putVersioned(KEYSPACE, key, '', bytes, read.context);
    for (const old of seen) {
      h.live.delete(old);
      h.maybe.delete(old);
    }
    if (value !== null) h.live.add(value);
    return true;
  } catch {
    // Unacknowledged: it may or may not have taken effect, so what it read may be gone
    // (superseded by it) and its own value may or may not appear.
    for (const old of seen) {
      if (h.live.delete(old)) h.maybe.add(old);
    }
    if (value !== null) h.failed.add(value);
    return false;
  }
}

/** What one run did: its trace and how much it acknowledged, for reports and replays. */
export interface RunResult {
  trace: string[];
  acknowledged: number;
  messages: number;
  virtualMs: number;
}

/** Runs `steps` client writes under seeded faults, checking after each and at the end. */
export async function runSeed(seed: number, steps: number): Promise<RunResult> {
  const random = seededRandom(seed);
  const world = simWorld(random);
  const { net, sched, trace } = world;
  const nodes = NODES.map((id) => buildNode(id, world));
  for (const node of nodes) await node.aae.start();
  const clients = [makeClient(net, 'c1'), makeClient(net, 'c2')];
  const keys = ['k1', 'k2', 'k3'];
  const history = new Map(
    keys.map((k) => [
      k,
      { live: new Set<string>(), failed: new Set<string>(), maybe: new Set<string>() },
    ]),
  );
  let acknowledged = 0;
  const outcomes: string[] = [];
  for (let step = 0; step < steps; step++) {
    applyFaults(net, random);
    const key = keys[Math.floor(random() * keys.length)]!;
    const value = random() < 0.25 ? null : `v${step}`;
    const client = clients[Math.floor(random() * clients.length)]!;
    const ok = await sched.runUntil(clientStep(client, key, value, history.get(key)!));
    if (ok) acknowledged++;
    outcomes.push(`${step}:${key}=${value}:${ok ? 'ack' : 'fail'}`);
    trace.push(`${sched.now()} client ${outcomes.at(-1)}`);
    for (const [k, h] of history) {
      const live = new Set(liveValues(await unionOf(nodes, k)).map(String));
      for (const v of h.live) {
        expect(live.has(v), `seed ${seed} step ${step}: ${k}=${v} lost`).toBe(true);
      }
    }
  }
  // A run where faults blocked nearly everything would prove nothing.
  expect(acknowledged, `seed ${seed}: too few writes acknowledged`).toBeGreaterThan(steps / 3);
  await heal(world, nodes);
  for (const [k, h] of history) {
    const states = await replicaDigests(nodes, k);
    expect(new Set(states).size, `seed ${seed}: replicas of ${k} disagree`).toBe(1);
    const read = await sched.runUntil(clients[0]!.getVersioned(KEYSPACE, k));
    const values = read.values.map(String);
    trace.push(`${sched.now()} final ${k}=${values.join('|')}`);
    for (const v of h.live) expect(values, `seed ${seed}: ${k} lost ${v}`).toContain(v);
    for (const v of values) {
      const allowed = h.live.has(v) || h.failed.has(v) || h.maybe.has(v);
      expect(allowed, `seed ${seed}: ${k} resurrected ${v} (${outcomes.join(' ')})`).toBe(true);
    }
  }
  return { trace, acknowledged, messages: net.delivered, virtualMs: sched.now() };
}

function applyFaults(net: SimNetwork, random: () => number): void {
  net.dropRate = random() < 0.3 ? 0.2 : 0;
  if (random() < 0.1) {
    net.partition = new Set([...NODES, 'c1', 'c2'].filter(() => random() < 0.5));
  } else if (random() < 0.2) net.partition = new Set();
  if (random() < 0.1) net.crashed.add(NODES[Math.floor(random() * NODES.length)]!);
  else if (random() < 0.2) net.crashed.clear();
}

async function heal({ net, sched }: SimWorld, nodes: SimNode[]): Promise<void> {
  net.dropRate = 0;
  net.partition = new Set();
  net.crashed.clear();
  for (let round = 0; round < 3; round++) {
    for (const node of nodes) await node.hints.tick();
    // Hint returns run in the background: give them (and due reaps) a virtual second.
    await sched.advance(1000);
    for (let i = 0; i < Q * 3; i++) {
      for (const node of nodes) await sched.runUntil(node.aae.exchangeOnce());
    }
  }
}

async function replicaDigests(nodes: SimNode[], key: string): Promise<string[]> {
  const primary = partitionOf(ringIndex(KEYSPACE, key), Q);
  const digests: string[] = [];
  for (let i = 0; i < 3; i++) {
    const partition = (primary + i) % Q;
    const owner = nodes.find((n) => n.nodeId === ring.owners[partition])!;
    const value = await owner.store.get({
      partition,
      keyspace: KEYSPACE,
      pk: Buffer.from(key),
      sk: Buffer.alloc(0),
    });
    digests.push(value ? versionDigest(decodeVersioned(value)) : 'absent');
  }
  return digests;
}
