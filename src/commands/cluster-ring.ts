/**
 * A RingClient for a process outside the ring (an S3 front end, stanchion): it follows the
 * ring through any node, talks to storage nodes over one RPC stream each, and routes around
 * nodes that stop answering.
 */
import { RING_RESOLVERS } from '../ring-resolvers.js';
import { RingClient, type Quorum } from '../../ring/client.js';
import { RemoteRing } from '../../ring/remote-ring.js';
import { StreamTransport } from '../../ring/transport/rpc-stream-transport.js';
import type { InternalClient } from '../../ring/transport/internal-client.js';

/** A connected ring client and what to stop when done. */
export interface ClusterRing {
  client: RingClient;
  remote: RemoteRing;
  close(): void;
}

/** Connects through the first of `seeds` that answers. */
export async function connectClusterRing(
  seeds: string[],
  internal: InternalClient,
  quorum: Quorum,
  onRepair?: (nodeId: string) => void,
): Promise<ClusterRing> {
  const remote = await RemoteRing.connect(
    { seeds, client: internal, pollIntervalMs: 1000, downAfterMs: 3000 },
    Date.now,
  );
  await remote.poll();
  remote.start();
  const transport = new StreamTransport((nodeId) => remote.addressOf(nodeId), internal);
  const client = new RingClient({
    resolvers: RING_RESOLVERS,
    ring: () => remote.ring,
    upNodes: () => remote.upNodes(),
    transport,
    quorum,
    timeoutMs: 10_000,
    refreshRing: () => remote.refresh(),
    onUnreachable: (nodeId) => remote.markUnreachable(nodeId),
    ...(onRepair ? { onRepair } : {}),
  });
  return {
    client,
    remote,
    close() {
      remote.stop();
      transport.close();
    },
  };
}
