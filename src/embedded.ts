/**
 * The embedded store: one process with an S3 front end, a stanchion and one storage node,
 * wired through the same interfaces a cluster uses (ring client over a transport, stanchion
 * client), only with the transport in-process. The node is built by the same builder as a
 * cluster node's (vnode router, handoff, hints, anti-entropy), as a ring of one member. It
 * is what `cairn start` and the tests run.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RingClient } from '../ring/client.js';
import type { Registry } from 'prom-client';
import { buildNode, type BuiltNode } from '../ring/node/build-node.js';
import { prepareDataDir } from '../ring/storage/data-dir.js';
import { explainStartupError } from '../ring/storage/startup-errors.js';
import { LocalStanchionClient } from '../stanchion/client.js';
import { StanchionServer, type StanchionOptions } from '../stanchion/server.js';
import { ensureAdmin } from '../stanchion/users.js';
import { loadSelfId } from '../stanchion/self-id.js';
import { RING_RESOLVERS } from './ring-resolvers.js';
import { frontEndDeps, startFrontEnd, type FrontEndOptions } from './front-end.js';
import { S3Metrics } from './metrics/s3-metrics.js';
import { cairnVersion } from './version.js';

/** Settings of `cairn start`. */
export interface EmbeddedOptions extends FrontEndOptions {
  dataDir: string;
  partitionCount: number;
  /** 'fsync' acknowledges writes once on disk; 'none' once in the page cache (see README). */
  durability?: 'fsync' | 'none';
  /** The admin's keys on first start (admin.key, admin.secret); checked on later starts. */
  adminKeys?: { keyId: string; secret: string };
  /** When the embedded stanchion snapshots its log (SNAPSHOT_DEFAULTS when absent). */
  snapshot?: StanchionOptions['snapshot'];
}

/** A running embedded store. */
export interface EmbeddedStore {
  url: string;
  dataDir: string;
  admin: { keyId: string; secret: string };
  app: FastifyInstance;
  /** Closes every layer; `graceMs`: the front end drains first (FrontEnd.close). */
  close(options?: { graceMs?: number }): Promise<void>;
}

const NODE_ID = 'node1@127.0.0.1';

/** What the embedded node reports into, when the store runs (not for offline commands). */
export interface EmbeddedRingHooks {
  /** Told of every replica repair a read sends. */
  onRepair?: () => void;
  /** The front end's registry: the node's series are served beside the S3 ones. */
  registry?: Registry;
}

/**
 * The embedded store's storage node under `dataDir`/node and a ring client over it
 * (in-process, n_val 1): what startEmbedded serves from, and what offline commands
 * (`cairn rekey-secrets`) open while the store is stopped. The node is not started: its
 * background duties are the caller's to start.
 */
export async function openEmbeddedRing(
  dataDir: string,
  partitionCount: number,
  sync: boolean,
  hooks: EmbeddedRingHooks = {},
): Promise<{ node: BuiltNode; ring: RingClient }> {
  const node = await buildEmbeddedNode(dataDir, partitionCount, sync, hooks).catch(
    (error: unknown) => {
      throw explainStartupError(error, dataDir);
    },
  );
  const ring = new RingClient({
    resolvers: RING_RESOLVERS,
    ring: () => node.manager.ring,
    upNodes: () => node.manager.upNodes(),
    transport: node.transport,
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 10_000,
    ...(hooks.onRepair ? { onRepair: hooks.onRepair } : {}),
  });
  return { node, ring };
}

/** The embedded store's node under `dataDir`/node: a ring of one, n_val 1. */
function buildEmbeddedNode(
  dataDir: string,
  partitionCount: number,
  sync: boolean,
  hooks: EmbeddedRingHooks,
): Promise<BuiltNode> {
  return buildNode({
    nodeId: NODE_ID,
    dataDir: join(dataDir, 'node'),
    partitionCount,
    durability: sync ? 'fsync' : 'none',
    nVal: 1,
    handoff: { transferLimit: 2, bytesPerSecondMax: 50_000_000 },
    gossipIntervalMs: 1000,
    downAfterMs: 3000,
    aaeIntervalMs: 60_000,
    metrics: hooks.registry
      ? { processMetrics: false, registry: hooks.registry }
      : { processMetrics: false },
  });
}

/** Opens the data dir, starts every layer, and listens. */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedStore> {
  const dataDir = resolve(options.dataDir);
  await prepareDataDir(dataDir, cairnVersion());
  const metrics = new S3Metrics();
  const sync = (options.durability ?? 'fsync') === 'fsync';
  const { node, ring } = await openEmbeddedRing(dataDir, options.partitionCount, sync, {
    onRepair: () => metrics.countRepair(),
    registry: metrics.registry,
  });
  node.start();
  const { stanchion, admin } = await openEmbeddedStanchion(dataDir, ring, options).catch(
    (error: unknown) => {
      throw explainStartupError(error, dataDir);
    },
  );
  const stanchionClient = new LocalStanchionClient(stanchion);
  const built = frontEndDeps(ring, stanchionClient, options, metrics);
  const frontEnd = await startFrontEnd(built, options);
  return {
    url: frontEnd.url,
    dataDir,
    admin: { keyId: admin.keyId, secret: admin.secret },
    app: frontEnd.app,
    async close(closing = {}) {
      await frontEnd.close(closing);
      await stanchion.close();
      await node.close();
    },
  };
}

/** The embedded stanchion under `dataDir`/stanchion, and the admin user it holds. */
async function openEmbeddedStanchion(dataDir: string, ring: RingClient, options: EmbeddedOptions) {
  const stanchion = await StanchionServer.open({
    dir: join(dataDir, 'stanchion'),
    ring,
    selfId: await loadSelfId(dataDir),
    address: 'in-process',
    strict: { pr: 1, pw: 1 },
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  });
  const world = { randomBytes, clock: Date.now };
  const admin = await ensureAdmin(world, stanchion, dataDir, {
    ...(options.adminKeys ? { wanted: options.adminKeys } : {}),
    ...(options.secrets ? { box: options.secrets } : {}),
  });
  return { stanchion, admin };
}
