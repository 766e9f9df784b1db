/**
 * Per-bucket settings the S3 front end owns (tags, CORS rules, the versioning status), kept
 * in their own versioned ring keyspace keyed by bucket id, written directly through the
 * ring client rather than through stanchion: none of them needs a global order, only
 * convergence. Concurrent writers become siblings; a read merges them field by field, each
 * field a last-writer-wins register (newest write time, then write id), so a concurrent
 * PutBucketTagging and PutBucketCors both survive. Must never hold anything whose loss to a
 * concurrent write would be unsafe (ownership, ACLs and policies belong to stanchion).
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { LifecycleRule } from './lifecycle/rules.js';
import type { Tag } from './manifest.js';
import type { WebsiteConfig } from './website-config.js';

export type { Tag };

/** One CORS rule, as PutBucketCors validated it. */
export interface CorsRule {
  id?: string;
  /** Origins, each with at most one `*` wildcard. */
  allowedOrigins: string[];
  /** Upper-case methods among GET, PUT, POST, DELETE, HEAD. */
  allowedMethods: string[];
  /** Lower-cased request header patterns, each with at most one `*`. */
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** The settings of one bucket; an absent field was never set or was deleted. */
export interface BucketSettings {
  tags?: Tag[];
  cors?: CorsRule[];
  /** 'Suspended' as stored by releases before versioning (now on the bucket record). */
  versioning?: 'Suspended';
  /** The lifecycle rules (objects/lifecycle/rules.ts); absent in records written before. */
  lifecycle?: LifecycleRule[];
  /** Default encryption of new objects (PutBucketEncryption): only SSE-S3 is served. */
  encryption?: BucketEncryption;
  /** The static website configuration (PutBucketWebsite); absent in records written before. */
  website?: WebsiteConfig;
}

/** A bucket's default encryption, as PutBucketEncryption validated it. */
export interface BucketEncryption {
  algorithm: 'AES256';
  /** BucketKeyEnabled as given (kept and returned; it changes nothing for SSE-S3). */
  bucketKeyEnabled?: boolean;
}

/** A last-writer-wins register: `value` null once deleted. */
interface Register<T> {
  value: T | null;
  atMs: number;
  writeId: string;
}

/** The stored record: one register per field. */
export type SettingsRecord = {
  format: 1;
} & { [K in keyof BucketSettings]?: Register<NonNullable<BucketSettings[K]>> };

const FIELDS = ['tags', 'cors', 'versioning', 'lifecycle', 'encryption', 'website'] as const;

function newer<T>(a: Register<T> | undefined, b: Register<T> | undefined) {
  if (!a) return b;
  if (!b) return a;
  if (a.atMs !== b.atMs) return a.atMs > b.atMs ? a : b;
  if (a.writeId !== b.writeId) return a.writeId > b.writeId ? a : b;
  // Write ids are unique, so this only makes the order total (and the merge a lattice).
  return JSON.stringify(a.value) >= JSON.stringify(b.value) ? a : b;
}

/**
 * Merges sibling records field by field. Commutative, associative and idempotent (each
 * field keeps the greatest (atMs, writeId)), so every reader converges on the same value.
 */
export function mergeSettingsRecords(records: readonly SettingsRecord[]): SettingsRecord {
  const merged: Record<string, unknown> = { format: 1 };
  for (const field of FIELDS) {
    let best: Register<unknown> | undefined;
    for (const record of records) best = newer(best, record[field] as Register<unknown>);
    if (best) merged[field] = best;
  }
  return merged as SettingsRecord;
}

/** Decodes a stored record; throws on a corrupt one. */
export function decodeSettingsRecord(value: Buffer): SettingsRecord {
  const record = JSON.parse(value.toString('utf8')) as SettingsRecord;
  if (record.format !== 1) throw new Error('corrupt bucket settings record');
  return record;
}

/** The settings a merged record shows. */
export function settingsOf(record: SettingsRecord): BucketSettings {
  const settings: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = record[field]?.value;
    if (value !== undefined && value !== null) settings[field] = value;
  }
  return settings as BucketSettings;
}

/** Reads a bucket's settings, siblings merged. */
export async function readBucketSettings(
  ring: RingClient,
  bucketId: string,
): Promise<BucketSettings> {
  const read = await ring.getVersioned(KEYSPACES.bucketSettings, bucketId);
  return settingsOf(mergeSettingsRecords(read.values.map(decodeSettingsRecord)));
}

/**
 * Sets (or, with null, deletes) one field over every sibling the read saw. The write time
 * is at least one past the field's current one, so a write that follows another always
 * wins even when this front end's clock is behind the last writer's.
 */
export async function writeBucketSetting<K extends keyof BucketSettings>(
  ring: RingClient,
  bucketId: string,
  field: K,
  value: NonNullable<BucketSettings[K]> | null,
  write: { nowMs: number; writeId: string },
): Promise<void> {
  const read = await ring.getVersioned(KEYSPACES.bucketSettings, bucketId);
  const record = mergeSettingsRecords(read.values.map(decodeSettingsRecord));
  const previousMs = record[field]?.atMs ?? 0;
  const register = { value, atMs: Math.max(write.nowMs, previousMs + 1), writeId: write.writeId };
  const next = { ...record, [field]: register };
  const bytes = Buffer.from(JSON.stringify(next), 'utf8');
  await ring.putVersioned(KEYSPACES.bucketSettings, bucketId, '', bytes, read.context);
}

/** Removes a deleted bucket's settings (a tombstone); a later bucket has a new id anyway. */
export async function deleteBucketSettings(ring: RingClient, bucketId: string): Promise<void> {
  await ring.delete(KEYSPACES.bucketSettings, bucketId);
}
