/**
 * A one-node ring in memory (memory KvBackend, in-process transport) for unit tests of the
 * layers above the ring. Large values still go to blob files, in a temporary directory
 * made on first use.
 */
import { KEYSPACES } from '../../ring/keyspaces.js';
import { newestManifest } from '../../src/objects/manifest.js';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingClient } from '../../ring/client.js';
import { singleNodeRing } from '../../ring/core/ring.js';
import { ItemStore } from '../../ring/node/item-store.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import { memoryBackend } from '../../ring/storage/memory-backend.js';
import { InProcessTransport } from '../../ring/transport/transport.js';

/** A RingClient over one in-memory node with Q=8. */
export function memoryRing(): RingClient {
  const ring = singleNodeRing('n1', 8);
  // Created only if a value is large enough to need a blob file.
  const blobDir = join(tmpdir(), `cairn-mem-${randomUUID()}`);
  const store = new ItemStore(memoryBackend(), blobDir, { sync: false });
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
