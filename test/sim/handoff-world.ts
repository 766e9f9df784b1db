/**
 * The world of the handoff simulation (handoff-sim.test.ts, replay.test.ts), on virtual
 * time: four nodes (Q=16, n_val=3, r=2, w=2) over a SimNetwork with seeded delays, running
 * the real vnode router, handoff manager and hinted handoff, with hint returns on the
 * node's background timers; anti-entropy only once the workload is over. A seeded client
 * writes throughout while a primary goes down (fallbacks keep hints) and comes back (hints
 * return), and a fifth node joins (transfers
 * stream partitions to it while writes are forwarded; the claimant flips each one as it
 * completes; old owners drop their copies later). Checked: after every step no
 * acknowledged write is lost from the union of the replicas; at the end every transfer is
 * done, every hint is handed back, no copy is left off its owners, every acknowledged value
 * is on at least w owners; after anti-entropy every owner of a key holds the same state,
 * and reads give every acknowledged value.
 */
import { expect } from 'vitest';
import { liveValues, RingClient } from '../../ring/client.js';
import { claim } from '../../ring/core/claim.js';
import { versionDigest } from '../../ring/core/dvv.js';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import {
  completeTransfer,
  planChanges,
  stageChange,
  transfersOf,
} from '../../ring/core/membership.js';
import type { Ring } from '../../ring/core/ring.js';
import { VirtualScheduler } from '../../ring/core/scheduler.js';
import { AntiEntropy } from '../../ring/node/anti-entropy.js';
import { startBackground } from '../../ring/node/background.js';
import { nodeTimersOn } from '../../ring/node/node-timers.js';
import { HandoffManager } from '../../ring/node/handoff.js';
import { HintedHandoff } from '../../ring/node/hinted-handoff.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import { VersionedItems } from '../../ring/node/versioned-item.js';
import { decodeVersioned, type VersionedValue } from '../../ring/transport/versioned-codec.js';
import { vnodeRouter, type VnodeRouterDeps } from '../../ring/node/vnode-router.js';
import { clientStep, unionOf, type KeyHistory } from './replication-world.js';
import { seededRandom, SimNetwork } from './sim-transport.js';
import { memoryItemStore } from '../helpers/scratch-dir.js';

const Q = 16;
const KEYSPACE = 'users';
const FIRST = ['n1', 'n2', 'n3', 'n4'];
const JOINER = 'n5';
const batches = { batchItemsMax: 2, batchBytesMax: 1 << 20, timeoutMs: 1000 };

/** The cluster's ring as the claimant holds it; every node reads it (gossip is instant). */
interface Cluster {
  ring: Ring;
  sched: VirtualScheduler;
  net: SimNetwork;
  nodes: Map<string, HandoffNode>;
  trace: string[];
  /** What the faults made happen, so a run that exercised nothing fails. */
  counts: { flips: number; hintsReturned: number; batchesSent: number };
}

function firstRing(): Ring {
  const owners = claim(
    Array.from({ length: Q }, () => 'n1'),
    FIRST,
  );
  return {
    partitionCount: Q,
    owners,
    nextOwners: Array.from({ length: Q }, () => null),
    members: FIRST.map((nodeId) => ({ nodeId, status: 'valid' as const, address: '' })),
    claimant: 'n1',
    epoch: 1,
    vclock: { n1: 1 },
  };
}

function buildNode(nodeId: string, cluster: Cluster) {
  const { net, sched } = cluster;
  const store = memoryItemStore(`handoff-sim-${nodeId}`, queueMicrotask);
  const transport = net.transportFor(nodeId);
  const source = {
    nodeId,
    get ring() {
      return cluster.ring;
    },
    isUp: (id: string) => net.connected(nodeId, id),
    reportComplete: async (partition: number, to: string) => {
      cluster.ring = completeTransfer(cluster.ring, partition, to);
      cluster.trace.push(`${sched.now()} flip ${partition} to ${to}`);
      cluster.counts.flips++;
      for (const node of cluster.nodes.values()) node.handoff.schedule();
    },
  };
  const hintsRef: { hints?: HintedHandoff } = {};
  const handoff = new HandoffManager(
    store,
    source,
    transport,
    { ...batches, transferLimit: 2, bytesPerSecondMax: 300, dropDelayMs: 5000, scheduler: sched },
    () => sched.now(),
    (p) => hintsRef.hints?.isHinted(p) ?? false,
  );
  const hints = new HintedHandoff(store, source, transport, handoff.locks, batches);
  hintsRef.hints = hints;
  hints.onDelivered = (items) => (cluster.counts.hintsReturned += items);
  handoff.onBatchSent = () => cluster.counts.batchesSent++;
  const versioned = new VersionedItems(store, nodeId);
  const routerDeps: VnodeRouterDeps = {
    nodeId,
    ring: () => cluster.ring,
    handoff,
    hints,
    transport,
    timeoutMs: 1000,
    local: storageNodeHandler(store, Q, versioned),
    sleep: (ms) => sched.sleep(ms, { label: 'reap-delay' }),
  };
  net.register(nodeId, vnodeRouter(routerDeps));
  // No anti-entropy until the end: only handoff, hints and writes may put data in place.
  const timers = nodeTimersOn(sched);
  startBackground({ hints }, { hintIntervalMs: 250, aaeIntervalMs: 1000 }, timers);
  const stop = () => timers.cancelAll();
  return { nodeId, store, handoff, hints, stop, versioned, source, transport, routerDeps };
}

type HandoffNode = ReturnType<typeof buildNode>;

function makeClient(cluster: Cluster): RingClient {
  return new RingClient({
    ring: () => cluster.ring,
    upNodes: () =>
      new Set(
        cluster.ring.members.map((m) => m.nodeId).filter((id) => cluster.net.connected('c1', id)),
      ),
    transport: cluster.net.transportFor('c1'),
    quorum: { nVal: 3, r: 2, w: 2 },
    timeoutMs: 1000,
  });
}

/** The claimant stages and commits the join; handoff starts on every node at once. */
function join(cluster: Cluster): void {
  cluster.nodes.set(JOINER, buildNode(JOINER, cluster));
  const staged = stageChange(cluster.ring, [], { kind: 'join', nodeId: JOINER, address: '' });
  const plan = typeof staged === 'string' ? staged : planChanges(cluster.ring, staged);
  if (typeof plan === 'string') throw new Error(`join refused: ${plan}`);
  cluster.ring = plan.ring;
  cluster.trace.push(`${cluster.sched.now()} join ${JOINER}: ${plan.transfers.length} transfers`);
  for (const node of cluster.nodes.values()) node.handoff.schedule();
}

/** Nothing left to do: no transfer pending or running, no hint held, no stray copy. */
async function quiet(cluster: Cluster): Promise<boolean> {
  if (transfersOf(cluster.ring).length > 0) return false;
  const { owners } = cluster.ring;
  for (const node of cluster.nodes.values()) {
    if (node.handoff.status().length > 0) return false;
    for (let p = 0; p < Q; p++) {
      if (node.hints.isHinted(p)) return false;
      if (owners[p] !== node.nodeId && (await node.store.holdsPartition(p))) return false;
    }
  }
  return true;
}

/** Every acknowledged value of every key is still in the union of all replicas. */
async function checkNoneLost(cluster: Cluster, history: Map<string, KeyHistory>, at: string) {
  const nodes = [...cluster.nodes.values()];
  for (const [key, h] of history) {
    const live = new Set(liveValues(await unionOf(nodes, key)).map(String));
    for (const v of h.live) expect(live.has(v), `${at}: ${key}=${v} lost`).toBe(true);
  }
}

/** The state of `key` on each of its n_val owners under the final ring. */
async function ownerStates(cluster: Cluster, key: string): Promise<VersionedValue[]> {
  const primary = partitionOf(ringIndex(KEYSPACE, key), Q);
  const states: VersionedValue[] = [];
  for (let i = 0; i < 3; i++) {
    const partition = (primary + i) % Q;
    const owner = cluster.nodes.get(cluster.ring.owners[partition]!)!;
    const item = { partition, keyspace: KEYSPACE, pk: Buffer.from(key), sk: Buffer.alloc(0) };
    const value = await owner.store.get(item);
    states.push(value ? decodeVersioned(value) : { siblings: [] });
  }
  return states;
}

/** A reap that raced a transfer leaves a tombstone on the new owner: deleted either way. */
function digestOf(state: VersionedValue): string {
  const deleted = state.siblings.every((s) => s.value === null);
  return deleted ? 'deleted' : versionDigest(state);
}

/**
 * Before any repair: every acknowledged value is on at least w=2 of its owners. (A third
 * copy sent just as its partition flipped is refused as wrong-owner and not resent: only
 * anti-entropy brings the third owner up to date.)
 */
async function checkOnOwners(cluster: Cluster, history: Map<string, KeyHistory>, seed: number) {
  for (const [key, h] of history) {
    const held = (await ownerStates(cluster, key)).map((s) => liveValues(s).map(String));
    for (const v of h.live) {
      const copies = held.filter((values) => values.includes(v)).length;
      expect(copies, `seed ${seed}: ${key}=${v} on ${copies} owners`).toBeGreaterThanOrEqual(2);
    }
  }
}

/** Anti-entropy on every node, as the node runs it, until the replicas agree. */
async function repair(cluster: Cluster): Promise<void> {
  const nodes = [...cluster.nodes.values()];
  for (const node of nodes) {
    const { store, versioned, source, transport } = node;
    const aae = new AntiEntropy(store, versioned, source, transport, { nVal: 3, timeoutMs: 1000 });
    node.routerDeps.aae = aae;
    await aae.start();
  }
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < Q * 2; i++) {
      for (const node of nodes) await cluster.sched.runUntil(node.routerDeps.aae!.exchangeOnce());
    }
  }
}

/** What one run did. */
export interface HandoffRun {
  trace: string[];
  acknowledged: number;
  counts: Cluster['counts'];
  virtualMs: number;
}

/** When the primary goes down and comes back, and when the fifth node joins. */
function plan(random: () => number, steps: number) {
  // The down window and the join may overlap: a transfer's sender or receiver then fails.
  const downAt = Math.floor(steps * (0.1 + random() * 0.4));
  const upAt = downAt + Math.floor(steps * (0.15 + random() * 0.15));
  const joinAt = Math.floor(steps * (0.15 + random() * 0.3));
  const victim = FIRST[Math.floor(random() * FIRST.length)]!;
  return { downAt, upAt, joinAt, victim };
}

async function workload(cluster: Cluster, random: () => number, steps: number, seed: number) {
  const { sched, net, trace } = cluster;
  const client = makeClient(cluster);
  const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
  const history = new Map(
    keys.map((k) => [
      k,
      { live: new Set<string>(), failed: new Set<string>(), maybe: new Set<string>() },
    ]),
  );
  const { downAt, upAt, joinAt, victim } = plan(random, steps);
  let acknowledged = 0;
  for (let step = 0; step < steps; step++) {
    if (step === downAt) net.crashed.add(victim);
    if (step === upAt) net.crashed.delete(victim);
    if (step === downAt || step === upAt) {
      trace.push(`${sched.now()} ${victim} ${step === downAt ? 'down' : 'up'} `);
    }
    if (step === joinAt) join(cluster);
    const key = keys[Math.floor(random() * keys.length)]!;
    const value = random() < 0.15 ? null : `v${step}`;
    const ok = await sched.runUntil(clientStep(client, key, value, history.get(key)!));
    if (ok) acknowledged++;
    trace.push(`${sched.now()} client ${step}:${key}=${value}:${ok ? 'ack' : 'fail'}`);
    await sched.advance(Math.floor(random() * 100));
    await checkNoneLost(cluster, history, `seed ${seed} step ${step}`);
  }
  return { client, history, acknowledged };
}

/** Runs one seed on virtual time; every check failing throws. */
export async function runHandoffSeed(seed: number, steps = 60): Promise<HandoffRun> {
  const random = seededRandom(seed);
  const trace: string[] = [];
  const sched = new VirtualScheduler({
    onFire: (f) => trace.push(`${f.atMs} fire ${f.label}#${f.seq}`),
  });
  const net = new SimNetwork(random, {
    scheduler: sched,
    delayMsMax: 5,
    trace: (l) => trace.push(l),
  });
  const counts = { flips: 0, hintsReturned: 0, batchesSent: 0 };
  const cluster: Cluster = { ring: firstRing(), sched, net, nodes: new Map(), trace, counts };
  for (const id of FIRST) cluster.nodes.set(id, buildNode(id, cluster));
  const { client, history, acknowledged } = await workload(cluster, random, steps, seed);
  expect(acknowledged, `seed ${seed}: too few writes acknowledged`).toBeGreaterThan(steps / 2);
  net.crashed.clear();
  for (let i = 0; i < 600 && !(await quiet(cluster)); i++) await sched.advance(100);
  expect(await quiet(cluster), `seed ${seed}: transfers, hints or stray copies left`).toBe(true);
  await checkNoneLost(cluster, history, `seed ${seed} at the end`);
  await checkOnOwners(cluster, history, seed);
  await repair(cluster);
  for (const [key, h] of history) {
    const digests = (await ownerStates(cluster, key)).map(digestOf);
    expect(new Set(digests).size, `seed ${seed}: owners of ${key} disagree`).toBe(1);
    const values = (await sched.runUntil(client.getVersioned(KEYSPACE, key))).values.map(String);
    trace.push(`${sched.now()} final ${key}=${values.join('|')}`);
    for (const v of h.live) expect(values, `seed ${seed}: ${key} lost ${v}`).toContain(v);
    for (const v of values) {
      const allowed = h.live.has(v) || h.failed.has(v) || h.maybe.has(v);
      expect(allowed, `seed ${seed}: ${key} resurrected ${v}`).toBe(true);
    }
  }
  for (const node of cluster.nodes.values()) node.stop();
  expect(counts.flips, `seed ${seed}: no transfer completed`).toBeGreaterThan(0);
  expect(counts.hintsReturned, `seed ${seed}: no hint handed back`).toBeGreaterThan(0);
  return { trace, acknowledged, counts, virtualMs: sched.now() };
}
