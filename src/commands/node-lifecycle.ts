/**
 * The lifecycle worker of a cluster's storage node: an object layer of its own over the
 * node's ring connection (the same object and multipart stores a front end uses, so every
 * expiration takes the normal delete path), walking the buckets this node is primary for.
 */
import { randomUUID } from 'node:crypto';
import type { RingClient } from '../../ring/client.js';
import type { GcQueue } from '../objects/gc-queue.js';
import { uuidV7 } from '../objects/ids.js';
import { MultipartStore } from '../objects/multipart-store.js';
import { PART_BYTES_MIN } from '../objects/multipart.js';
import { ObjectStore } from '../objects/object-store.js';
import type { LifecycleWorker } from '../objects/lifecycle/worker.js';
import { startLifecycleWorker } from '../lifecycle-worker.js';

/** Starts the node's lifecycle worker. */
export function startNodeLifecycle(
  ring: RingClient,
  gc: GcQueue,
  nodeId: string,
  ownsBucket: (bucketId: string) => boolean,
  settings: {
    dayMs: number;
    ratePerSecond: number;
    log: (message: string, error?: unknown) => void;
  },
): Promise<LifecycleWorker> {
  // Only deletes and aborts run here: the sizes matter to no write.
  const sizes = { blockSize: 1024 * 1024, inFlightMax: 4 };
  const objects = new ObjectStore(ring, gc, { ...sizes, objectBytesMax: 0 }, Date.now);
  const multipart = new MultipartStore(
    ring,
    gc,
    objects,
    { ...sizes, partBytesMax: 0, partBytesMin: PART_BYTES_MIN },
    Date.now,
  );
  return startLifecycleWorker({
    workerId: nodeId,
    ring,
    objects,
    multipart,
    newId: () => uuidV7(Date.now(), randomUUID),
    ownsBucket,
    ...settings,
  });
}
