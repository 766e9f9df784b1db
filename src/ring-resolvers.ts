/**
 * Sibling resolution for every keyspace the front end and stanchion read: manifests by the
 * newest write (the S3 view), stanchion's records by revision. One table, so the embedded
 * store and a cluster's processes resolve alike.
 */
import type { Resolver } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import { STANCHION_RESOLVERS } from '../stanchion/resolvers.js';
import { newestManifest } from './objects/manifest.js';
import { newestVersionRecord } from './objects/version-siblings.js';
import { newestCounter } from './usage/core/storage-delta.js';

/** The resolvers every RingClient outside the storage nodes gets. */
export const RING_RESOLVERS: Readonly<Record<string, Resolver>> = {
  ...STANCHION_RESOLVERS,
  [KEYSPACES.manifests]: newestManifest,
  [KEYSPACES.objectVersions]: newestVersionRecord,
  [KEYSPACES.usageCounters]: newestCounter,
};
