/**
 * The deleted-bucket collector of a cluster's storage node (src/objects/bucket-collector.ts):
 * an object layer of its own over the node's ring connection, so that what it removes takes
 * the paths a client's delete and abort take, walking the partitions this node is primary
 * for. Passes run every --gc-bucket-interval (paused with GC), at the lifecycle rate.
 */
import type { RingClient } from '../../ring/client.js';
import { BucketCollector } from '../objects/bucket-collector.js';
import { BucketCollectProgressStore } from '../objects/bucket-collector-progress.js';
import type { GcQueue } from '../objects/gc-queue.js';
import { MultipartStore } from '../objects/multipart-store.js';
import { PART_BYTES_MIN } from '../objects/multipart.js';
import { ObjectStore } from '../objects/object-store.js';

/** What the node's collector is given. */
export interface NodeBucketGcSettings {
  nodeId: string;
  partitions: () => number[];
  intervalMs: () => number;
  ratePerSecond: number;
  log: (message: string, error?: unknown) => void;
}

/** Builds and starts the node's collector. */
export async function startNodeBucketGc(
  ring: RingClient,
  gc: GcQueue,
  settings: NodeBucketGcSettings,
): Promise<BucketCollector> {
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
  const collector = new BucketCollector({
    workerId: settings.nodeId,
    ring,
    objects,
    multipart,
    progress: new BucketCollectProgressStore(ring),
    partitions: settings.partitions,
    intervalMs: settings.intervalMs,
    ratePerSecond: settings.ratePerSecond,
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: settings.log,
  });
  await collector.start();
  return collector;
}
