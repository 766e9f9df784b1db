/**
 * The embedded store: one process with an S3 front end, a stanchion and one storage node,
 * wired through the same interfaces a cluster uses (ring client over a transport, stanchion
 * client), only with the transport in-process. It is what `cairn start` and the tests run.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RingClient } from '../ring/client.js';
import { openStorageNode, type OpenNode } from '../ring/node/open-node.js';
import { InProcessTransport } from '../ring/transport/transport.js';
import { LocalStanchionClient } from '../stanchion/client.js';
import { StanchionServer } from '../stanchion/server.js';
import { ensureAdmin } from '../stanchion/users.js';
import { loadSelfId } from '../stanchion/self-id.js';
import { RING_RESOLVERS } from './ring-resolvers.js';
import { frontEndDeps, startFrontEnd, type FrontEndOptions } from './front-end.js';
import { S3Metrics } from './metrics/s3-metrics.js';

/** Settings of `cairn start`. */
export interface EmbeddedOptions extends FrontEndOptions {
  dataDir: string;
  partitionCount: number;
  /** 'fsync' acknowledges writes once on disk; 'none' once in the page cache (see README). */
  durability?: 'fsync' | 'none';
  /** The admin's keys on first start (admin.key, admin.secret); checked on later starts. */
  adminKeys?: { keyId: string; secret: string };
}

/** A running embedded store. */
export interface EmbeddedStore {
  url: string;
  dataDir: string;
  admin: { keyId: string; secret: string };
  app: FastifyInstance;
  close(): Promise<void>;
}

const NODE_ID = 'node1@127.0.0.1';

/**
 * The embedded store's storage node under `dataDir`/node and a ring client over it
 * (in-process, n_val 1): what startEmbedded serves from, and what offline commands
 * (`cairn rekey-secrets`) open while the store is stopped.
 */
export async function openEmbeddedRing(
  dataDir: string,
  partitionCount: number,
  sync: boolean,
  onRepair?: () => void,
): Promise<{ node: OpenNode; ring: RingClient }> {
  const node = await openStorageNode({
    dataDir: join(dataDir, 'node'),
    nodeId: NODE_ID,
    partitionCount,
    sync,
  });
  const transport = new InProcessTransport();
  transport.register(node.nodeId, node.handler);
  const ring = new RingClient({
    resolvers: RING_RESOLVERS,
    ring: () => node.ring,
    upNodes: () => new Set([node.nodeId]),
    transport,
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 10_000,
    ...(onRepair ? { onRepair } : {}),
  });
  return { node, ring };
}

/** Opens the data dir, starts every layer, and listens. */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedStore> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const metrics = new S3Metrics();
  const sync = (options.durability ?? 'fsync') === 'fsync';
  const { node, ring } = await openEmbeddedRing(dataDir, options.partitionCount, sync, () =>
    metrics.countRepair(),
  );
  const stanchion = await StanchionServer.open({
    dir: join(dataDir, 'stanchion'),
    ring,
    selfId: await loadSelfId(dataDir),
    address: 'in-process',
    strict: { pr: 1, pw: 1 },
  });
  const stanchionClient = new LocalStanchionClient(stanchion);
  const world = { randomBytes, clock: Date.now };
  const admin = await ensureAdmin(world, stanchion, dataDir, {
    ...(options.adminKeys ? { wanted: options.adminKeys } : {}),
    ...(options.secrets ? { box: options.secrets } : {}),
  });
  const built = frontEndDeps(ring, stanchionClient, options, metrics);
  const frontEnd = await startFrontEnd(built, options);
  return {
    url: frontEnd.url,
    dataDir,
    admin: { keyId: admin.keyId, secret: admin.secret },
    app: frontEnd.app,
    async close() {
      await frontEnd.close();
      await stanchion.close();
      await node.close();
    },
  };
}
