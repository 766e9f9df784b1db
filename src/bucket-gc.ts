/**
 * Starting the deleted-bucket collector (src/objects/bucket-collector.ts) in the embedded
 * store, which owns every partition; a cluster's storage nodes start theirs in
 * src/commands/node-bucket-gc.ts.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { S3Deps } from './http/context.js';
import { BucketCollector } from './objects/bucket-collector.js';
import { BucketCollectProgressStore } from './objects/bucket-collector-progress.js';
import { EMBEDDED_LIFECYCLE_WORKER } from './lifecycle-worker.js';

/** Starts the embedded store's collector: passes every `intervalMs`, `ratePerSecond` at most. */
export async function startEmbeddedBucketGc(
  deps: S3Deps,
  settings: { intervalMs: () => number; ratePerSecond: number },
  log: FastifyBaseLogger,
): Promise<BucketCollector> {
  const collector = new BucketCollector({
    workerId: EMBEDDED_LIFECYCLE_WORKER,
    ring: deps.ring,
    objects: deps.objects,
    multipart: deps.multipart,
    progress: new BucketCollectProgressStore(deps.ring),
    partitions: () => undefined,
    ...settings,
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (message, error) => log.warn({ err: error }, message),
  });
  await collector.start();
  return collector;
}
