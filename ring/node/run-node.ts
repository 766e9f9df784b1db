/**
 * `cairn node`: one storage node as its own process. The node itself comes from the one
 * builder (build-node.ts) the embedded store also uses; this file only gives it a network
 * (its address and a signed client) and serves /rpc, /gossip and /admin on one port.
 */
import { prepareDataDir } from '../storage/data-dir.js';
import { explainStartupError } from '../storage/startup-errors.js';
import { InternalClient } from '../transport/internal-client.js';
import type { InternalSecurity } from '../transport/internal-security.js';
import { buildNode } from './build-node.js';
import type { HandoffOptions } from './handoff.js';
import type { NodeMetrics } from './node-metrics.js';
import { buildNodeServer } from './node-server.js';
import { drainNode, NodeShutdown } from './node-shutdown.js';

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
  /** The Cairn version, written into the data dir's format marker (data-dir.ts). */
  version: string;
}

/** A running node. */
export interface RunningNode {
  address: string;
  /** The node's Prometheus metrics (GET /metrics); other services of the process add theirs. */
  metrics: NodeMetrics;
  /**
   * Closes the node. With `graceMs`, gracefully (SIGTERM): it tells the cluster it is
   * going, answers what is in flight, flushes, then closes, cutting what is left at the
   * grace (node-shutdown.ts). Without, at once.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Starts a storage node and listens. */
export async function runNode(options: NodeProcessOptions): Promise<RunningNode> {
  const address = options.advertise ?? `${options.host}:${options.port}`;
  const client = new InternalClient(options.security);
  await prepareDataDir(options.dataDir, options.version);
  const node = await buildNode({ ...options, network: { address, client } }).catch(
    (error: unknown) => {
      throw explainStartupError(error, options.dataDir);
    },
  );
  const shutdown = new NodeShutdown();
  const app = buildNodeServer({
    shutdown,
    manager: node.manager,
    handoff: node.handoff,
    hints: node.hints,
    handle: node.handle,
    security: options.security,
    client,
    aaeStats: () => node.aae.stats,
    metrics: node.metrics,
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await node.close();
    throw error;
  }
  node.start();
  return {
    address,
    metrics: node.metrics,
    async close(closing = {}) {
      if (closing.graceMs === undefined) {
        node.stop();
        await app.close();
        return node.close();
      }
      const target = {
        ...{ shutdown, manager: node.manager, client, server: app.server },
        stop: () => node.stop(),
        closeListener: () => app.close(),
        closeStore: () => node.close(),
      };
      const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
      await drainNode(target, closing.graceMs, sleep);
    },
  };
}
