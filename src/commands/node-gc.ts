/**
 * The garbage collector a storage node runs in a cluster: a GC worker over the node's own
 * ring connection that owns the GC shards and ring partitions this node is primary for.
 * Front ends in a cluster collect nothing, so the work is split across the nodes. The node's
 * lifecycle worker runs beside it, over the buckets this node is primary for.
 */
import { randomUUID } from 'node:crypto';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { Registry } from 'prom-client';
import { PromGcMetrics } from '../metrics/gc-metrics.js';
import { GcControl } from '../objects/gc-control.js';
import { GcQueue } from '../objects/gc-queue.js';
import { GcWorker } from '../objects/gc-worker.js';
import { OrphanSweeper, type MarkSplit } from '../objects/orphan-sweeper.js';
import type { RingClient } from '../../ring/client.js';
import { InternalClient } from '../../ring/transport/internal-client.js';
import type { InternalSecurity } from '../../ring/transport/internal-security.js';
import { connectClusterRing } from './cluster-ring.js';
import { startNodeBucketGc } from './node-bucket-gc.js';
import { startNodeLifecycle } from './node-lifecycle.js';

/** What the node's GC needs. */
export interface NodeGcOptions {
  nodeId: string;
  address: string;
  security: InternalSecurity;
  nVal: number;
  leewaySeconds: number;
  intervalSeconds: number;
  sweepIntervalSeconds: number;
  /** How often the deleted-bucket collector runs, in seconds. */
  bucketIntervalSeconds: number;
  /** The node's metrics registry: GC backlog and collections are reported there. */
  registry: Registry;
  /** The lifecycle "day" and rate; absent: no lifecycle worker. */
  lifecycle?: { dayMs: number; ratePerSecond: number };
}

/** The node's orphan sweeper: its mark split with the other nodes' (orphan-mark.ts). */
function splitSweeper(
  client: RingClient,
  queue: GcQueue,
  control: GcControl,
  split: MarkSplit,
): OrphanSweeper {
  const options = {
    get leewayMs() {
      return control.leewayMs;
    },
    split,
  };
  return new OrphanSweeper(client, queue, options, Date.now);
}

/** Starts the node's GC worker; resolves with a stop function. */
export async function startNodeGc(options: NodeGcOptions): Promise<() => void> {
  const quorum = Math.floor(options.nVal / 2) + 1;
  const connected = await connectClusterRing(
    [options.address],
    new InternalClient(options.security),
    {
      nVal: options.nVal,
      r: quorum,
      w: quorum,
    },
  );
  const ring = () => connected.remote.ring;
  const mine = (partition: number) => ring().owners[partition] === options.nodeId;
  const configured = {
    intervalMs: options.intervalSeconds * 1000,
    leewayMs: options.leewaySeconds * 1000,
  };
  const control = new GcControl(connected.client, configured, Date.now);
  const log = (message: string, error?: unknown) =>
    process.stderr.write(`${message}: ${String(error)}\n`);
  const logError = (message: string) => (error: unknown) =>
    process.stderr.write(`${message}: ${String(error)}\n`);
  await control.refresh().catch(logError('gc settings read failed'));
  control.start(logError('gc settings read failed'));
  const queue = new GcQueue(connected.client, () => control.leewayMs);
  const ownsShard = (shard: number) =>
    mine(partitionOf(ringIndex(KEYSPACES.gc, String(shard)), ring().partitionCount));
  const owned = () => [...Array(ring().partitionCount).keys()].filter(mine);
  const split = { workerId: options.nodeId, ownedPartitions: owned, ownsShard, newId: randomUUID };
  const sweeper = splitSweeper(connected.client, queue, control, split);
  const worker = new GcWorker(
    queue,
    sweeper,
    {
      intervalMs: () => control.intervalMs,
      sweepIntervalMs: options.sweepIntervalSeconds * 1000,
      paused: () => control.paused,
      onCollect: (report) => void control.reportPass(options.nodeId, report, Date.now()),
      ownsShard,
      partitions: owned,
      log,
      onPass: (line) => process.stdout.write(`${line}\n`),
      metrics: new PromGcMetrics([options.registry]),
    },
    Date.now,
  );
  worker.start();
  void control.reportPass(options.nodeId, worker.report, Date.now());
  const ownsBucket = (bucketId: string) =>
    mine(partitionOf(ringIndex(KEYSPACES.manifests, bucketId), ring().partitionCount));
  const lifecycle = options.lifecycle
    ? await startNodeLifecycle(connected.client, queue, options.nodeId, ownsBucket, {
        ...options.lifecycle,
        log,
      })
    : undefined;
  const buckets = await startNodeBucketGc(connected.client, queue, {
    nodeId: options.nodeId,
    partitions: owned,
    intervalMs: () => (control.paused ? Infinity : options.bucketIntervalSeconds * 1000),
    ratePerSecond: options.lifecycle?.ratePerSecond ?? 1000,
    log,
  });
  return () => {
    void buckets.stop();
    void lifecycle?.stop();
    worker.stop();
    control.stop();
    connected.close();
  };
}
