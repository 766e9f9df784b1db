/**
 * Starting a lifecycle worker (src/objects/lifecycle/worker.ts) where GC runs: the embedded
 * store, which owns every bucket, and each storage node of a cluster, which owns the buckets
 * whose manifests' partition it is primary for.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { RingClient } from '../ring/client.js';
import { storeActions } from './objects/lifecycle/actions.js';
import { LifecycleProgressStore } from './objects/lifecycle/progress.js';
import { DAY_MS } from './objects/lifecycle/rules.js';
import { LifecycleWorker } from './objects/lifecycle/worker.js';
import type { MultipartStore } from './objects/multipart-store.js';
import type { ObjectStore } from './objects/object-store.js';
import type { S3Deps } from './http/context.js';

/** Records a second unless set otherwise. */
const RATE_DEFAULT = 1000;
/** The worker id of the embedded store in `lifecycle status`. */
export const EMBEDDED_LIFECYCLE_WORKER = 'embedded';

/** What a worker is built from. */
export interface LifecycleWorkerSetup {
  workerId: string;
  ring: RingClient;
  objects: ObjectStore;
  multipart: MultipartStore;
  newId: () => string;
  dayMs: number;
  ratePerSecond: number;
  ownsBucket: (bucketId: string) => boolean;
  log: (message: string, error?: unknown) => void;
}

/** Builds and starts a worker. */
export async function startLifecycleWorker(setup: LifecycleWorkerSetup): Promise<LifecycleWorker> {
  const worker = new LifecycleWorker({
    ...setup,
    actions: storeActions(setup.objects, setup.multipart, { clock: Date.now, newId: setup.newId }),
    progress: new LifecycleProgressStore(setup.ring),
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    tickMs: Math.min(1000, setup.dayMs),
  });
  await worker.start();
  return worker;
}

/** The embedded store's worker: every bucket is its own. */
export function startLifecycle(
  deps: S3Deps,
  settings: { dayMs: number; ratePerSecond: number } | undefined,
  log: FastifyBaseLogger,
): Promise<LifecycleWorker> {
  return startLifecycleWorker({
    workerId: EMBEDDED_LIFECYCLE_WORKER,
    ring: deps.ring,
    objects: deps.objects,
    multipart: deps.multipart,
    newId: deps.newId,
    dayMs: settings?.dayMs ?? DAY_MS,
    ratePerSecond: settings?.ratePerSecond ?? RATE_DEFAULT,
    ownsBucket: () => true,
    log: (message, error) => log.warn({ err: error }, message),
  });
}
