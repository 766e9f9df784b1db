/**
 * The ring's namespaces. One list, so that no two programs invent the same name for
 * different things; `bucket` never appears here: S3 buckets are records in `buckets`.
 */
export const KEYSPACES = {
  /** User records by user id. */
  users: 'users',
  /** User records by access key id: what authentication reads. */
  usersByKey: 'users-by-key',
  /** S3 bucket records by bucket name. */
  buckets: 'buckets',
  /** Partition key: owner's user id; sort key: bucket name. What ListBuckets scans. */
  userBuckets: 'user-buckets',
  /** Partition key: bucket id; sort key: object key. What ListObjects scans. */
  manifests: 'manifests',
  /**
   * Partition key: bucket id; sort key: object key, NUL, inverted version id. Every version
   * (and delete marker) of a versioned bucket, newest first per key: what
   * ListObjectVersions scans (src/objects/version-keys.ts).
   */
  objectVersions: 'object-versions',
  /** Partition key: (object version id, block number). Immutable object data. */
  blocks: 'blocks',
  /**
   * Partition key: (object version id, zero-padded chunk number). Immutable chunks of a
   * multipart object's part list, written before its manifest (src/objects/part-chunks.ts).
   */
  manifestParts: 'manifest-parts',
  /** Partition key: 'all'; sort key: access key id. What GET /riak-cs/users scans. */
  userIndex: 'user-index',
  /** Partition key: 'log'; sort key: sequence number. Stanchion's replicated command log. */
  stanchionLog: 'stanchion-log',
  /** Partition key: 'leader'. Which stanchion is active, at which epoch. */
  stanchionLeader: 'stanchion-leader',
  /**
   * Stanchion's latest snapshot: partition key 'head' (which one), 'index' (sort key: each
   * snapshot's chunk partition, for clean-up), or a snapshot's own (sort key: chunk number).
   */
  stanchionSnapshot: 'stanchion-snapshot',
  /** Partition key: bucket id. Per-bucket settings the front end owns (tags, CORS). */
  bucketSettings: 'bucket-settings',
  /**
   * Partition key: bucket id; sort key: object key, NUL, upload id. Multipart uploads in
   * progress: what ListMultipartUploads scans, in key order like manifests.
   */
  uploads: 'uploads',
  /** Partition key: upload id; sort key: zero-padded part number. One record per part. */
  parts: 'parts',
  /**
   * Partition key: a deleted bucket's id. Stanchion's record that the id is dead for good
   * (ids are never reused): what the deleted-bucket collector starts from.
   */
  deletedBuckets: 'deleted-buckets',
  /** Partition key: GC shard; sort key: due time and version id. */
  gc: 'gc',
  /**
   * Partition key: bucket id; sort key: writer id (a front end, or the reconciler). Each
   * writer's running {objects, bytes} totals: a bucket's usage is their sum, one range read.
   */
  usageCounters: 'usage-counters',
  /** Partition key: user id; sort key: sample time (ISO 8601 basic). Storage history. */
  usageStorage: 'usage-storage',
  /**
   * Partition key: user id; sort key: slice start (ISO 8601 basic), '/', front-end id. Each
   * front end's per-operation access totals for one archive interval.
   */
  usageAccess: 'usage-access',
  /**
   * Partition key: a subsystem ('gc'); sort key: '' for its operator overrides, or a
   * worker id for that worker's last report. What `cairn-admin gc set-interval` writes.
   */
  clusterSettings: 'cluster-settings',
} as const;

/** Keyspaces whose values never change once written: stored without version vectors. */
export const IMMUTABLE_KEYSPACES: ReadonlySet<string> = new Set([
  KEYSPACES.blocks,
  KEYSPACES.manifestParts,
]);

/** Whether values of `keyspace` are versioned (dotted version vectors, siblings). */
export function isVersioned(keyspace: string): boolean {
  return !IMMUTABLE_KEYSPACES.has(keyspace);
}
