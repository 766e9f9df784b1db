/**
 * `cairn node`: one storage node as its own process. Opens its LevelDB and blob files and
 * its ring, starts gossip and handoff, and serves /rpc, /gossip and /admin on one port.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ring } from '../core/ring.js';
import { openLevelBackend } from '../storage/leveldb-backend.js';
import { StreamTransport } from '../transport/rpc-stream-transport.js';
import { InternalClient } from '../transport/internal-client.js';
import type { InternalSecurity } from '../transport/internal-security.js';
import { HandoffManager, type HandoffOptions } from './handoff.js';
import { attachNodeMetrics, type NodeMetrics } from './node-metrics.js';
import { HintedHandoff } from './hinted-handoff.js';
import { AntiEntropy } from './anti-entropy.js';
import { ItemStore } from './item-store.js';
import { PartitionLocks } from './partition-locks.js';
import { peerCall } from './peer-client.js';
import { RingManager } from './ring-manager.js';
import { RingStore } from './ring-store.js';
import { diskGuardFor } from './disk-space.js';
import { storageNodeHandler } from './storage-node.js';
import { buildNodeServer } from './node-server.js';
import { VersionedItems } from './versioned-item.js';
import { vnodeRouter } from './vnode-router.js';

/** Settings of `cairn node`. */
export interface NodeProcessOptions {
  nodeId: string;
  host: string;
  port: number;
  /** host:port other nodes reach this one at (default host:port). */
  advertise?: string;
  dataDir: string;
  partitionCount: number;
  /** The cluster cookie and, optionally, mutual TLS: what every internal request needs. */
  security: InternalSecurity;
  handoff: Pick<HandoffOptions, 'transferLimit' | 'bytesPerSecondMax'>;
  gossipIntervalMs: number;
  downAfterMs: number;
  /** Replicas per item, so anti-entropy knows which nodes share a key. */
  nVal: number;
  /** One anti-entropy exchange (one tree against its peers) per this interval. */
  aaeIntervalMs: number;
  /**
   * 'fsync': a write is acknowledged once on disk (group-committed). 'none': once in the
   * OS page cache — faster, but a power loss or kernel crash can lose acknowledged writes.
   */
  durability: 'fsync' | 'none';
}

/** A running node. */
export interface RunningNode {
  address: string;
  /** The node's Prometheus metrics (GET /metrics); other services of the process add theirs. */
  metrics: NodeMetrics;
  close(): Promise<void>;
}

/** Starts a storage node and listens. */
export async function runNode(options: NodeProcessOptions): Promise<RunningNode> {
  checkOptions(options);
  await mkdir(options.dataDir, { recursive: true });
  const address = options.advertise ?? `${options.host}:${options.port}`;
  const client = new InternalClient(options.security);
  const manager = await RingManager.open(
    new RingStore(options.dataDir),
    { ...options, address, client },
    Date.now,
  );
  const { kv, store } = await openStore(options);
  const actor = await store.actorId(manager.nodeId, () => randomBytes(4).toString('hex'));
  const transport = new StreamTransport((nodeId) => manager.addressOf(nodeId), client);
  const source = ringSource(manager, client);
  const batches = { batchItemsMax: 256, batchBytesMax: 8 * 1024 * 1024, timeoutMs: 30_000 };
  const locks = new PartitionLocks();
  const hints = new HintedHandoff(store, source, transport, locks, batches);
  await hints.load();
  const handoff = new HandoffManager(
    store,
    source,
    transport,
    { ...options.handoff, ...batches, dropDelayMs: 10_000 },
    Date.now,
    (p) => hints.isHinted(p),
    locks,
  );
  const versioned = new VersionedItems(store, actor);
  const aaeOptions = { nVal: options.nVal, timeoutMs: 30_000 };
  const aae = new AntiEntropy(store, versioned, source, transport, aaeOptions);
  await aae.start();
  const guard = diskGuardFor(options.dataDir);
  const handle = vnodeRouter({
    nodeId: manager.nodeId,
    ring: () => manager.ring,
    local: storageNodeHandler(store, options.partitionCount, versioned, guard),
    handoff,
    hints,
    aae,
    transport,
    timeoutMs: 10_000,
  });
  const metrics = attachNodeMetrics(handoff, hints, aae);
  const app = buildNodeServer({
    manager,
    handoff,
    handle,
    security: options.security,
    client,
    aaeStats: () => aae.stats,
    metrics,
  });
  await app.listen({ host: options.host, port: options.port });
  manager.onRing(() => handoff.schedule());
  manager.start();
  handoff.schedule();
  const timers = startBackground(options, hints, aae);
  return {
    address,
    metrics,
    async close() {
      for (const timer of timers) clearInterval(timer);
      handoff.stop();
      manager.stop();
      await app.close();
      transport.close();
      await kv.close();
    },
  };
}

async function openStore(options: NodeProcessOptions) {
  const kv = await openLevelBackend(join(options.dataDir, 'leveldb'));
  const store = new ItemStore(kv, join(options.dataDir, 'blobs'), {
    sync: options.durability === 'fsync',
  });
  return { kv, store };
}

/** Refuses options that would silently disable a duty (a NaN interval, no n_val). */
function checkOptions(options: NodeProcessOptions): void {
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

/** Hint returns and anti-entropy exchanges, each at most one at a time. */
function startBackground(options: NodeProcessOptions, hints: HintedHandoff, aae: AntiEntropy) {
  const hintTimer = setInterval(() => void hints.tick(), options.gossipIntervalMs * 2);
  let exchanging = false;
  const aaeTimer = setInterval(() => {
    if (exchanging) return;
    exchanging = true;
    void aae
      .exchangeOnce()
      .catch((error: unknown) => (aae.stats.lastError = String(error)))
      .finally(() => (exchanging = false));
  }, options.aaeIntervalMs);
  for (const timer of [hintTimer, aaeTimer]) timer.unref();
  return [hintTimer, aaeTimer];
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
