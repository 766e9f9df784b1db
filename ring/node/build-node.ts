/**
 * The one builder of a storage node, for the embedded store (`cairn start`) and for a
 * cluster node (`cairn node`): item store, ring manager, vnode router (with the one
 * tombstone reaper and quorum counter), handoff, hinted handoff, anti-entropy, disk guard
 * and metrics. The two differ only in how the node reaches its peers: a cluster node gets a
 * network (an address and a signed HTTP client); the embedded store gets none, so it is a
 * ring of one member for good, over the in-process transport, and opens no socket for
 * internal traffic. With one member every duty is idle: gossip, hint returns and
 * anti-entropy rounds find no peer and do nothing. It must never listen: callers serve.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ring } from '../core/ring.js';
import { openLevelBackend } from '../storage/leveldb-backend.js';
import { StreamTransport } from '../transport/rpc-stream-transport.js';
import { InternalClient } from '../transport/internal-client.js';
import { InProcessTransport, type NodeHandler, type Transport } from '../transport/transport.js';
import { AntiEntropy } from './anti-entropy.js';
import { diskGuardFor } from './disk-space.js';
import { HandoffManager, type HandoffOptions } from './handoff.js';
import { HintedHandoff } from './hinted-handoff.js';
import { ItemStore } from './item-store.js';
import { attachNodeMetrics, type NodeMetrics, type NodeMetricsOptions } from './node-metrics.js';
import { startBackground } from './background.js';
import { nodeTimersOn, type NodeTimers } from './node-timers.js';
import { realScheduler, type Scheduler } from '../real-scheduler.js';
import { PartitionLocks } from './partition-locks.js';
import { peerCall } from '../transport/peer-client.js';
import { RingManager } from './ring-manager.js';
import { RingStore } from './ring-store.js';
import { storageNodeHandler } from './storage-node.js';
import { VersionedItems } from './versioned-item.js';
import { vnodeRouter } from './vnode-router.js';

/** How a cluster node reaches its peers; the embedded store has none. */
export interface NodeNetwork {
  /** host:port other nodes reach this one at. */
  address: string;
  /** Signs gossip, RPC and admin calls to peers. */
  client: InternalClient;
}

/** Settings of a storage node, embedded or not. */
export interface NodeBuildOptions {
  nodeId: string;
  /** Holds ring.json, staged.json, leveldb/ and blobs/. */
  dataDir: string;
  partitionCount: number;
  /** 'fsync': acknowledged once on disk (group-committed); 'none': once in the page cache. */
  durability: 'fsync' | 'none';
  /** Replicas per item, so anti-entropy knows which nodes share a key. */
  nVal: number;
  handoff: Pick<HandoffOptions, 'transferLimit' | 'bytesPerSecondMax'>;
  gossipIntervalMs: number;
  /** A peer not heard from for this long counts as down. */
  downAfterMs: number;
  /** One anti-entropy exchange per this interval (when there is a peer). */
  aaeIntervalMs: number;
  /** Absent: the embedded store, a ring of one member over the in-process transport. */
  network?: NodeNetwork;
  /** Where the node's metrics go (a shared registry for the embedded store). */
  metrics?: NodeMetricsOptions;
  /** Clock and timers of every duty (handoff, gossip, hints, anti-entropy); real by default. */
  scheduler?: Scheduler;
  /** The node's own duty timers; on `scheduler` by default (a test may tick them by hand). */
  timers?: NodeTimers;
}

/** A storage node, built and not yet started. */
export interface BuiltNode {
  nodeId: string;
  manager: RingManager;
  handoff: HandoffManager;
  hints: HintedHandoff;
  aae: AntiEntropy;
  /** The vnode router: every request to this node, from any transport, goes here. */
  handle: NodeHandler;
  /** How this process reaches nodes (this one included). */
  transport: Transport;
  metrics: NodeMetrics;
  /** Starts gossip, handoff scheduling, hint returns and anti-entropy rounds. */
  start(): void;
  /** Stops every duty and timer; the store stays open. */
  stop(): void;
  /** Stops, then closes the transport and the store. */
  close(): Promise<void>;
}

/** Batches of handoff, hint returns and their timeout. */
const BATCHES = { batchItemsMax: 256, batchBytesMax: 8 * 1024 * 1024, timeoutMs: 30_000 };

/** Builds the node under `options.dataDir` (created if need be). */
export async function buildNode(options: NodeBuildOptions): Promise<BuiltNode> {
  checkOptions(options);
  await mkdir(options.dataDir, { recursive: true });
  const scheduler = options.scheduler ?? realScheduler;
  const timers = options.timers ?? nodeTimersOn(scheduler);
  const client = options.network?.client ?? offlineClient();
  const address = options.network?.address ?? '';
  const manager = await RingManager.open(
    new RingStore(options.dataDir),
    { ...options, address, client, scheduler },
    timers.now,
  );
  const kv = await openLevelBackend(join(options.dataDir, 'leveldb'));
  try {
    const store = new ItemStore(kv, join(options.dataDir, 'blobs'), {
      sync: options.durability === 'fsync',
    });
    const parts = await assemble(options, manager, store, client, timers);
    // The store makes its blob directories in the background from its constructor: let that
    // finish before closing, or a caller removing the data dir races the last mkdirs.
    const closeStore = () =>
      store
        .ready()
        .then(noop, noop)
        .then(() => kv.close());
    return withLifecycle(options, parts, timers, closeStore);
  } catch (error) {
    await kv.close();
    throw error;
  }
}

type Parts = Omit<BuiltNode, 'start' | 'stop' | 'close'>;

async function assemble(
  options: NodeBuildOptions,
  manager: RingManager,
  store: ItemStore,
  client: InternalClient,
  timers: NodeTimers,
): Promise<Parts> {
  const actor = await store.actorId(manager.nodeId, () => randomBytes(4).toString('hex'));
  const inProcess = options.network ? undefined : new InProcessTransport();
  const transport = inProcess ?? new StreamTransport((nodeId) => manager.addressOf(nodeId), client);
  const source = ringSource(manager, client);
  const locks = new PartitionLocks();
  const hints = new HintedHandoff(store, source, transport, locks, BATCHES, timers.now);
  await hints.load();
  const handoffOptions = {
    ...options.handoff,
    ...BATCHES,
    dropDelayMs: 10_000,
    scheduler: options.scheduler ?? realScheduler,
  };
  const keep = (p: number) => hints.isHinted(p);
  const handoff = new HandoffManager(
    store,
    source,
    transport,
    handoffOptions,
    timers.now,
    keep,
    locks,
  );
  const versioned = new VersionedItems(store, actor);
  const aae = new AntiEntropy(store, versioned, source, transport, {
    nVal: options.nVal,
    timeoutMs: 30_000,
    now: timers.now,
  });
  // Trees matter only to a node that can have peers: the embedded store never will, so it
  // pays no read-before-write and no hashing per write for them.
  if (options.network) await aae.start();
  const handle = vnodeRouter({
    nodeId: manager.nodeId,
    ring: () => manager.ring,
    local: storageNodeHandler(
      store,
      options.partitionCount,
      versioned,
      diskGuardFor(options.dataDir),
    ),
    handoff,
    hints,
    aae,
    transport,
    timeoutMs: 10_000,
    sleep: (ms) => timers.sleep(ms),
  });
  inProcess?.register(manager.nodeId, handle);
  const metrics = attachNodeMetrics(handoff, hints, aae, {
    ...(options.metrics ?? { processMetrics: true }),
    members: () => manager.ring.members.length,
  });
  return { nodeId: manager.nodeId, manager, handoff, hints, aae, handle, transport, metrics };
}

/** Adds start, stop and close to the parts. */
function withLifecycle(
  options: NodeBuildOptions,
  parts: Parts,
  timers: NodeTimers,
  closeStore: () => Promise<void>,
): BuiltNode {
  const { manager, handoff, hints, aae } = parts;
  let stopped = false;
  const stop = () => {
    stopped = true;
    timers.cancelAll();
    handoff.stop();
    manager.stop();
  };
  return {
    ...parts,
    start() {
      if (stopped) throw new Error('a stopped node cannot start again');
      manager.onRing(() => handoff.schedule());
      manager.start();
      handoff.schedule();
      startDuties(options, timers, manager, hints, aae);
    },
    stop,
    async close() {
      stop();
      if (parts.transport instanceof StreamTransport) parts.transport.close();
      await closeStore();
    },
  };
}

/** Hint returns and anti-entropy rounds, each at most one at a time, only with peers. */
function startDuties(
  options: NodeBuildOptions,
  timers: NodeTimers,
  manager: RingManager,
  hints: HintedHandoff,
  aae: AntiEntropy,
): void {
  const intervals = {
    hintIntervalMs: options.gossipIntervalMs * 2,
    aaeIntervalMs: options.aaeIntervalMs,
  };
  startBackground({ hints, aae }, intervals, timers, () => manager.ring.members.length >= 2);
}

/**
 * The embedded store's ring manager has no one to gossip with or report to; it still needs
 * a client by type. This one has a random key and is never asked to send.
 */
function offlineClient(): InternalClient {
  return new InternalClient({ cookie: randomBytes(32).toString('hex') });
}

/** Refuses options that would silently disable a duty (a NaN interval, no n_val). */
function checkOptions(options: NodeBuildOptions): void {
  for (const name of ['nVal', 'aaeIntervalMs', 'gossipIntervalMs', 'downAfterMs'] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) {
      throw new RangeError(`node option ${name} must be a positive integer: ${options[name]}`);
    }
  }
}

/** The view of the ring manager that handoff, hints and anti-entropy share. */
function ringSource(manager: RingManager, client: InternalClient) {
  return {
    get nodeId() {
      return manager.nodeId;
    },
    get ring() {
      return manager.ring;
    },
    isUp: (nodeId: string) => manager.upNodes().has(nodeId),
    reportComplete: (partition: number, to: string) =>
      reportComplete(manager, client, partition, to),
  };
}

/** Tells the claimant a transfer is done and adopts the ring it answers with. */
async function reportComplete(
  manager: RingManager,
  client: InternalClient,
  partition: number,
  to: string,
) {
  if (manager.isClaimant) return manager.transferComplete(partition, to);
  const address = manager.addressOf(manager.ring.claimant);
  if (!address) throw new Error('claimant has no address');
  const ring = await peerCall<Ring>(client, address, '/admin/transfer-complete', {
    body: { partition, to },
  });
  await manager.adopt(ring);
}

function noop(): void {}
