/**
 * What every S3 handler receives: its dependencies, the parsed operation, the caller, and
 * the raw request and reply. Built once per request by app.ts.
 */
import type { BucketSettingsCache } from '../objects/bucket-settings-cache.js';
import type { MasterKeys } from '../objects/encryption/sse-keys.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RingClient } from '../../ring/client.js';
import type { StanchionClient } from '../../stanchion/client.js';
import type { UserRecord } from '../../stanchion/core/records.js';
import type { SecretBox } from '../../stanchion/secret-box.js';
import type { PayloadMode } from '../auth/types.js';
import type { RecordCache } from '../cache/record-cache.js';
import type { MultipartStore } from '../objects/multipart-store.js';
import type { GcQueue } from '../objects/gc-queue.js';
import type { GcWorker } from '../objects/gc-worker.js';
import type { GcBatch } from '../objects/gc-batch.js';
import type { GcControl } from '../objects/gc-control.js';
import type { ObjectStore } from '../objects/object-store.js';
import type { OrphanSweeper } from '../objects/orphan-sweeper.js';
import type { RequestObserver } from '../metrics/request-observer.js';
import type { UsageService } from '../usage/usage-service.js';
import type { QuotaUsage } from '../usage/quota-usage.js';

/** Settings of the S3 front end. */
export interface S3Config {
  /** The region this endpoint reports (GetBucketLocation) and expects in SigV4 scopes. */
  region: string;
  /** Whether POST /riak-cs/user works without credentials (Riak CS anonymous_user_creation). */
  anonymousUserCreation: boolean;
  /**
   * The service's host name (Riak CS's cs_root_host), e.g. 's3.amazonaws.com': a Host of
   * bucket.<rootHost> names a bucket (virtual-hosted style).
   */
  rootHost?: string;
  /** The website endpoint's domain: a Host of bucket.<domain> is served as a website. */
  websiteHostBase?: string;
  /** Server-side encryption: the master keys (SSE-S3) and whether SSE-C may use plain HTTP. */
  sse?: SseConfig;
}

/** What server-side encryption needs of the front end's configuration. */
export interface SseConfig {
  /** From --kms-key-file; absent: SSE-S3 is refused (NotImplemented), never stored plain. */
  masterKeys?: MasterKeys;
  /** --allow-sse-c-over-http: accept customer keys over plain HTTP (tests only). */
  allowCustomerKeysOverHttp: boolean;
  /** --sse-chunk-bytes: plain bytes per sealed chunk of new objects (absent: 64 KiB). */
  chunkBytes?: number;
}

/** The world the front end runs in: the ring client, stanchion, the clock and ids. */
export interface S3Deps {
  ring: RingClient;
  stanchion: StanchionClient;
  objects: ObjectStore;
  multipart: MultipartStore;
  config: S3Config;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** A fresh unique id (UUIDv7: version ids carry their creation time). */
  newId: () => string;
  /** The GC queue, the orphan sweeper and (where this process runs one) the GC worker. */
  gc: GcDeps;
  /** Cryptographically random bytes. */
  randomBytes: (count: number) => Buffer;
  /** Storage and access accounting; absent where it is off. */
  usage?: UsageService;
  /** Usage as quota checks read it; absent where accounting is off (no quota is enforced). */
  quotas?: QuotaUsage;
  /** Metrics and access-log hooks; absent where they are off. */
  observer?: RequestObserver;
  /** What `cairn-admin cluster-info` reports of this process; absent in tests. */
  operator?: OperatorInfo;
  /** Seals users' secrets for storage and opens them; stored as given when absent. */
  secrets?: SecretBox;
  /** Users and buckets cached per request check (src/cache/); read from the ring if absent. */
  records?: RecordCache<unknown>;
  /** Bucket settings as the object path reads them (lifecycle, default encryption). */
  bucketSettings?: BucketSettingsCache;
  /** The lifecycle worker's day; a real day if absent. */
  lifecycle?: { dayMs: number };
}

/** This process as an operator sees it. */
export interface OperatorInfo {
  /** `start` (embedded) or `s3` (a cluster front end). */
  program: string;
  /** The settings in force, as config lines, secrets shown as "(set)". */
  settings: string[];
  startedAtMs: number;
  /** The front end's metrics as JSON (GET /riak-cs/stats). */
  stats?: () => Promise<unknown>;
}

/** What the GC admin routes reach. */
export interface GcDeps {
  queue: GcQueue;
  sweeper: OrphanSweeper;
  worker?: GcWorker;
  /** The operator's overrides (pause, interval, leeway), shared by the cluster. */
  control?: GcControl;
  /** This process's operator-started batch. */
  batch?: GcBatch;
}

/** One authenticated request; `user` is undefined for an anonymous one. */
export interface RequestContext {
  deps: S3Deps;
  user?: UserRecord;
  payload: PayloadMode;
  query: URLSearchParams;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * What every S3 handler gets: a request of a signed user or an anonymous one. Handlers
 * never assume a user; access/authorize.ts decides what either may do.
 */
export type S3Context = RequestContext;
