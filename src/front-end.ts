/**
 * An S3 front end over a ring client and a stanchion client: the object layer, the GC
 * collector and the fastify app, listening. The embedded store and `cairn s3` both use it;
 * only where the ring and stanchion are differs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { RingClient } from '../ring/client.js';
import type { StanchionClient } from '../stanchion/client.js';
import type { Command } from '../stanchion/core/commands.js';
import type { SecretBox } from '../stanchion/secret-box.js';
import { GcQueue } from './objects/gc-queue.js';
import { GcBatch } from './objects/gc-batch.js';
import { GcControl, leewayOf } from './objects/gc-control.js';
import { GcWorker } from './objects/gc-worker.js';
import { uuidV7 } from './objects/ids.js';
import { OrphanSweeper } from './objects/orphan-sweeper.js';
import { PART_BYTES_MIN } from './objects/multipart.js';
import { MultipartStore } from './objects/multipart-store.js';
import { ObjectStore } from './objects/object-store.js';
import { buildApp } from './router.js';
import { installDrainer } from './http/drain.js';
import { startEmbeddedBucketGc } from './bucket-gc.js';
import type { NodeAdmin } from './console/context.js';
import { startLifecycle } from './lifecycle-worker.js';
import { DAY_MS } from './objects/lifecycle/rules.js';
import { BucketSettingsCache } from './objects/bucket-settings-cache.js';
import { recordCacheFor } from './cache/front-end-cache.js';
import { compileBucketAccess } from './s3/handlers/access.js';
import type { TlsMaterial } from './tls-files.js';
import type { OperatorInfo, S3Deps, SseConfig } from './http/context.js';
import { RequestObserver } from './metrics/request-observer.js';
import { S3Metrics } from './metrics/s3-metrics.js';
import { StorageCounters } from './usage/storage-counters.js';
import { QuotaUsage } from './usage/quota-usage.js';
import {
  DEFAULT_USAGE_INTERVALS,
  UsageService,
  type UsageIntervals,
} from './usage/usage-service.js';

/** Settings of an S3 front end. */
export interface FrontEndOptions {
  host: string;
  port: number;
  region: string;
  anonymousUserCreation: boolean;
  rootHost?: string;
  /** The website endpoint's domain: bucket.<domain> is served as a static website. */
  websiteHostBase?: string;
  blockSizeBytes: number;
  /** Largest object kept in its manifest record, in bytes (MANIFEST_INLINE_BYTES_MAX if unset). */
  inlineBytesMax?: number;
  /** Smallest non-last part on CompleteMultipartUpload; S3's 5 MiB, 0 when not enforced. */
  partBytesMin?: number;
  gcLeewaySeconds: number;
  /** Whether this process collects garbage (the embedded store; in a cluster, the nodes). */
  gcWorker: boolean;
  gcIntervalSeconds: number;
  gcSweepIntervalSeconds: number;
  /** How often the deleted-bucket collector runs, in seconds (absent: hourly). */
  gcBucketIntervalSeconds?: number;
  /** The lifecycle "day" and the worker's rate (the worker runs where GC does). */
  lifecycle?: { dayMs: number; ratePerSecond: number };
  logLevel: string;
  /** Usage accounting intervals (ms); defaults in DEFAULT_USAGE_INTERVALS. */
  usage?: Partial<UsageIntervals>;
  /** Bearer token GET /metrics needs; without one, only loopback clients may scrape. */
  metricsToken?: string;
  /** Deadline for a request's line and headers, in ms; see HttpServerOptions. */
  headersTimeoutMs?: number;
  /** Buckets one user may own (Riak CS's max_buckets_per_user); stanchion's default if unset. */
  maxBucketsPerUser?: number;
  /** This process as cluster-info reports it (program and settings, secrets hidden). */
  operator?: OperatorInfo;
  /** The S3 port's certificate and key: HTTPS only (src/tls-files.ts reads and checks them). */
  tls?: TlsMaterial;
  /** Seals users' secrets under the key file; absent: stored as given. */
  secrets?: SecretBox;
  /** Server-side encryption: master keys and SSE-C over HTTP; absent: SSE-S3 refused. */
  sse?: SseConfig;
  /** The operator console at /console/ (absent or not enabled: none). */
  console?: { enabled: boolean; idleMs?: number; nodeAdmin?: NodeAdmin };
}

/** The GC worker id of the embedded store in `gc status`. */
const EMBEDDED_WORKER = 'embedded';

/** A listening front end. */
export interface FrontEnd {
  url: string;
  app: FastifyInstance;
  deps: S3Deps;
  /** The front end's metrics (the GC worker reports through its GcMetrics side). */
  metrics: S3Metrics;
  /**
   * Stops the background work, closes the listener, then flushes usage counters and access
   * stats. With `graceMs` (SIGTERM), requests in flight are answered to the end with
   * `Connection: close` and cut only past the grace (src/http/drain.ts); without, fastify's
   * close waits for them unbounded.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** What frontEndDeps builds. */
export interface BuiltFrontEnd {
  deps: S3Deps;
  gc: GcQueue;
  metrics: S3Metrics;
  usage: UsageService;
}

/**
 * Builds the front end's dependencies (without listening). `metrics` is passed in when the
 * ring client was built first and already counts its repairs into it.
 */
export function frontEndDeps(
  ring: RingClient,
  stanchion: StanchionClient,
  options: FrontEndOptions,
  metrics: S3Metrics = new S3Metrics(),
): BuiltFrontEnd {
  const configured = {
    intervalMs: options.gcIntervalSeconds * 1000,
    leewayMs: options.gcLeewaySeconds * 1000,
  };
  const control = new GcControl(ring, configured, Date.now);
  const gc = new GcQueue(ring, () => control.leewayMs);
  const sweeper = new OrphanSweeper(ring, gc, leewayOf(control), Date.now);
  const usage = usageService(ring, options, metrics);
  const objects = new ObjectStore(
    ring,
    gc,
    {
      blockSize: options.blockSizeBytes,
      inFlightMax: 4,
      objectBytesMax: 5 * 1024 ** 3,
      ...(options.inlineBytesMax === undefined ? {} : { inlineBytesMax: options.inlineBytesMax }),
      onPartChunkRead: () => metrics.countPartChunkRead(),
    },
    Date.now,
    usage.counters,
  );
  usage.reconcilerFor(objects);
  const multipart = new MultipartStore(
    ring,
    gc,
    objects,
    {
      blockSize: options.blockSizeBytes,
      inFlightMax: 4,
      partBytesMax: 5 * 1024 ** 3,
      partBytesMin: options.partBytesMin ?? PART_BYTES_MIN,
    },
    Date.now,
  );
  const records = recordCacheFor(ring, stanchion, compileBucketAccess);
  const deps: S3Deps = {
    ring,
    ...(records ? { records } : {}),
    stanchion: withBucketLimit(stanchion, options.maxBucketsPerUser),
    objects,
    multipart,
    config: {
      region: options.region,
      anonymousUserCreation: options.anonymousUserCreation,
      ...(options.rootHost ? { rootHost: options.rootHost } : {}),
      ...(options.websiteHostBase ? { websiteHostBase: options.websiteHostBase } : {}),
      ...(options.sse ? { sse: options.sse } : {}),
    },
    clock: Date.now,
    newId: () => uuidV7(Date.now(), randomUUID),
    randomBytes,
    gc: { queue: gc, sweeper, control, batch: new GcBatch(gc, control, Date.now) },
    usage,
    quotas: new QuotaUsage(ring, usage.counters, Date.now),
    ...(options.operator
      ? { operator: { ...options.operator, stats: () => metrics.registry.getMetricsAsJSON() } }
      : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    bucketSettings: new BucketSettingsCache(ring, Date.now),
    lifecycle: { dayMs: options.lifecycle?.dayMs ?? DAY_MS },
    observer: new RequestObserver(metrics, usage.access, {
      ...(options.metricsToken ? { token: options.metricsToken } : {}),
    }),
  };
  return { deps, gc, metrics, usage };
}

/**
 * The stanchion client, with this front end's max_buckets_per_user on every create-bucket
 * command: stanchion decides the limit in the same step as the name, so it cannot race.
 */
function withBucketLimit(stanchion: StanchionClient, bucketsMax: number | undefined) {
  if (bucketsMax === undefined) return stanchion;
  const limited: StanchionClient = {
    execute: (command: Command) =>
      stanchion.execute(command.type === 'create-bucket' ? { ...command, bucketsMax } : command),
  };
  if (stanchion.addresses && stanchion.switchTo) {
    limited.addresses = () => stanchion.addresses!();
    limited.switchTo = (address) => stanchion.switchTo!(address);
  }
  if (stanchion.statuses) limited.statuses = () => stanchion.statuses!();
  if (stanchion.ping) limited.ping = (address) => stanchion.ping!(address);
  if (stanchion.changes) limited.changes = (from) => stanchion.changes!(from);
  return limited;
}

/** The usage accounting of a front end, named for this process (writer id, access node). */
function usageService(ring: RingClient, options: FrontEndOptions, metrics: S3Metrics) {
  const nodeId = `s3-${randomBytes(4).toString('hex')}@${hostname()}`;
  const counters = new StorageCounters(ring, nodeId, Date.now, {
    flushed: () => metrics.countFlush('ok'),
    flushFailed: () => metrics.countFlush('failed'),
  });
  const intervals = { ...DEFAULT_USAGE_INTERVALS, ...options.usage };
  return new UsageService(ring, counters, nodeId, intervals, Date.now, {
    reconciled: (result) => metrics.countReconcile(result.outcome),
  });
}

function consoleOf(options: FrontEndOptions) {
  if (!options.console?.enabled) return undefined;
  const { nodeAdmin, idleMs } = options.console;
  return {
    secure: options.tls !== undefined,
    ...(nodeAdmin ? { nodeAdmin } : {}),
    ...(idleMs ? { idleMs } : {}),
  };
}

/** Starts listening with the given dependencies, and the periodic GC pass. */
export async function startFrontEnd(
  built: BuiltFrontEnd,
  options: FrontEndOptions,
): Promise<FrontEnd> {
  const app = buildApp(
    built.deps,
    {
      logLevel: options.logLevel,
      ...(options.headersTimeoutMs ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    },
    consoleOf(options),
  );
  const drainer = installDrainer(app);
  const address = await app.listen({ host: options.host, port: options.port });
  const control = built.deps.gc.control!;
  const warn = (message: string) => (error: unknown) => app.log.warn({ err: error }, message);
  await control.refresh().catch(warn('gc settings read failed'));
  control.start(warn('gc settings read failed'));
  if (options.gcWorker) {
    built.deps.gc.worker = new GcWorker(
      built.gc,
      built.deps.gc.sweeper,
      {
        intervalMs: () => control.intervalMs,
        sweepIntervalMs: options.gcSweepIntervalSeconds * 1000,
        paused: () => control.paused,
        ownsShard: () => true,
        partitions: () => undefined,
        log: (message, error) => app.log.warn({ err: error }, message),
        metrics: built.metrics.gc,
        onCollect: (report) => void control.reportPass(EMBEDDED_WORKER, report, Date.now()),
      },
      Date.now,
    );
    built.deps.gc.worker.start();
    void control.reportPass(EMBEDDED_WORKER, built.deps.gc.worker.report, Date.now());
  }
  const lifecycle = options.gcWorker
    ? await startLifecycle(built.deps, options.lifecycle, app.log)
    : undefined;
  const bucketGc = options.gcWorker
    ? await startEmbeddedBucketGc(
        built.deps,
        {
          intervalMs: () =>
            control.paused ? Infinity : (options.gcBucketIntervalSeconds ?? 3600) * 1000,
          ratePerSecond: options.lifecycle?.ratePerSecond ?? 1000,
        },
        app.log,
      )
    : undefined;
  built.usage.start((duty, error) => app.log.warn({ err: error }, `usage ${duty} failed`));
  return {
    url: address.replace('[::1]', 'localhost'),
    app,
    deps: built.deps,
    metrics: built.metrics,
    async close(closing = {}) {
      built.deps.gc.worker?.stop();
      await lifecycle?.stop();
      await bucketGc?.stop();
      control.stop();
      built.deps.gc.batch?.cancel();
      if (closing.graceMs === undefined) await app.close();
      else await drainer.drain(closing.graceMs);
      await built.usage.close();
    },
  };
}
