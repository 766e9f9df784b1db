/**
 * A storage node's graceful stop (SIGTERM): it tells the cluster it is going before it goes,
 * so front ends and peers route around it at once instead of after downAfterMs unheard.
 *
 * 1. It answers /ping and /gossip with 503 "stopping", which front ends (remote-ring.ts) and
 *    peers (ring-manager.ts) take as "down now", and pushes the same news to each peer.
 * 2. It keeps serving for a moment (a front end notices within one ping interval), so
 *    requests already on their way are answered, not cut.
 * 3. Its RPC streams answer what they are handling and end once quiet; the listener closes;
 *    the store flushes its group commit and closes. All within the grace: past it, what is
 *    left is cut.
 */
import type { Server } from 'node:http';
import type { InternalClient } from '../transport/internal-client.js';
import { peerCall } from '../transport/peer-client.js';
import { STOPPING_HEADER } from '../transport/stopping.js';
import type { RingManager } from './ring-manager.js';

/** Front ends ping every member each second: this long covers one round and its replies. */
const ANNOUNCE_MS_MAX = 1500;

/** A node's shutdown state: its server reads it, run-node drives it. */
export class NodeShutdown {
  /** Whether the node is going: /ping and /gossip answer STOPPING_STATUS. */
  stopping = false;
  /** Ends the RPC streams gracefully (set by the server that serves them). */
  drainStreams: () => Promise<void> = async () => {};
}

/** What a graceful stop works on. */
export interface DrainTarget {
  shutdown: NodeShutdown;
  manager: RingManager;
  client: InternalClient;
  server: Server;
  /** Stops the node's timers (gossip, handoff, anti-entropy). */
  stop(): void;
  /** Closes the listener (fastify's close: it waits for requests in flight). */
  closeListener(): Promise<void>;
  /** Flushes and closes the store. */
  closeStore(): Promise<void>;
}

/** Stops `target` gracefully within `graceMs`; resolves once it is closed. */
export async function drainNode(
  target: DrainTarget,
  graceMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'cut'>((resolve) => {
    deadlineTimer = setTimeout(() => resolve('cut'), graceMs);
  });
  target.shutdown.stopping = true;
  // Gossip stops first: a gossip round from us would mark us up again on the peers.
  target.stop();
  await announceStopping(target.manager, target.client, Math.min(1000, graceMs));
  await sleep(Math.min(ANNOUNCE_MS_MAX, graceMs / 2));
  let listenerClosed: Promise<void> | undefined;
  const closeListener = () => (listenerClosed ??= target.closeListener());
  const drained = target.shutdown.drainStreams().then(closeListener);
  if ((await Promise.race([drained, deadline])) === 'cut') {
    // Fastify's close destroys the streams left; the HTTP requests left are cut here.
    const closing = closeListener();
    target.server.closeAllConnections();
    await closing;
  }
  clearTimeout(deadlineTimer);
  await drained;
  await target.closeStore();
}

/** Tells every peer this node is going, so their preflists skip it from now on. */
async function announceStopping(
  manager: RingManager,
  client: InternalClient,
  timeoutMs: number,
): Promise<void> {
  const peers = manager.ring.members.filter((m) => m.nodeId !== manager.nodeId);
  await Promise.all(
    peers.map((peer) =>
      peerCall(client, peer.address, '/gossip', {
        headers: { 'x-cairn-node': manager.nodeId, [STOPPING_HEADER]: '1' },
        body: manager.ring,
        timeoutMs,
      }).catch(() => {
        // A peer that does not hear it marks us down after downAfterMs, as before.
      }),
    ),
  );
}
