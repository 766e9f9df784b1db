/**
 * A one-node ring in memory (memory KvBackend, in-process transport) for unit tests of the
 * layers above the ring. Large values still go to blob files, in a scratch directory of the
 * test run.
 */
import { KEYSPACES } from '../../ring/keyspaces.js';
import { newestManifest } from '../../src/objects/manifest.js';
import { RingClient } from '../../ring/client.js';
import { singleNodeRing } from '../../ring/core/ring.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import { InProcessTransport } from '../../ring/transport/transport.js';
import { memoryItemStore } from './scratch-dir.js';

/** A RingClient over one in-memory node with Q=8. */
export function memoryRing(): RingClient {
  const ring = singleNodeRing('n1', 8);
  const store = memoryItemStore('mem');
  const transport = new InProcessTransport();
  transport.register('n1', storageNodeHandler(store, 8));
  return new RingClient({
    resolvers: { [KEYSPACES.manifests]: newestManifest },
    ring: () => ring,
    upNodes: () => new Set(['n1']),
    transport,
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 1000,
  });
}
