/**
 * A front end's cache of the records every S3 request needs: the user behind an access key,
 * users by canonical id, and buckets by name with their access rules compiled (the parsed
 * policy, not its text). Per process, bounded in entries and in bytes (LRU). Entries are
 * trusted only through a Revalidator check made for the request (revalidator.ts explains
 * why that is never stale past one round trip); without one, the request reads the ring.
 * Cached records are frozen: they are shared between requests, and a handler changing one
 * would change it for everyone.
 *
 * Only stanchion's records are cached. Bucket settings that front ends write straight to
 * the ring (tags, CORS, versioning: objects/bucket-settings.ts) are not: no log position
 * covers them, and no per-request path of GET or PUT reads them.
 */
import { LRUCache } from 'lru-cache';
import type { RingClient } from '../../ring/client.js';
import type { ChangedKeys } from '../../stanchion/core/change-feed.js';
import type { BucketRecord, UserRecord } from '../../stanchion/core/records.js';
import { readBucket, readUserById, readUserByKey } from '../../stanchion/reader.js';
import type { Revalidator } from './revalidator.js';

/** Bounds of one cache. */
export interface RecordCacheLimits {
  /** Entries per kind (users by key, users by id, buckets). */
  entriesMax: number;
  /** Approximate bytes per kind: the record's JSON size times three for its parsed forms. */
  bytesMax: number;
}

/** The default bounds: a few thousand users and buckets in a few MiB. */
export const RECORD_CACHE_LIMITS: RecordCacheLimits = { entriesMax: 10_000, bytesMax: 8 << 20 };

/** A cached record (absence is not cached: a client's made-up names must not evict). */
type Slot<T> = { value: T; bytes: number };

/** What a request's check said: use the cache at `generation`, or read the ring. */
type Check = number | undefined;

/** How bytes are counted: JSON text, times three for objects and compiled forms. */
function bytesOf(value: object): number {
  return 3 * JSON.stringify(value).length + 64;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** One kind of record, by one key. */
class Shelf<T extends object> {
  private readonly lru: LRUCache<string, Slot<T>>;
  private readonly reading = new Map<
    string,
    { generation: number; read: Promise<T | undefined> }
  >();

  constructor(
    limits: RecordCacheLimits,
    private readonly load: (key: string) => Promise<T | undefined>,
  ) {
    this.lru = new LRUCache({
      max: limits.entriesMax,
      maxSize: limits.bytesMax,
      sizeCalculation: (slot) => slot.bytes,
    });
  }

  get size(): number {
    return this.lru.size;
  }

  evict(keys: readonly string[]): void {
    for (const key of keys) this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  /**
   * The record under `key` at `generation`, from the cache or one shared ring read; kept
   * only if no check moved the position while the read ran (it may predate a change).
   */
  async get(key: string, generation: number, current: () => number): Promise<T | undefined> {
    const slot = this.lru.get(key);
    if (slot) return slot.value;
    const shared = this.reading.get(key);
    if (shared?.generation === generation) return shared.read;
    const read = this.load(key).then((value) => {
      if (value !== undefined && current() === generation) {
        this.lru.set(key, { value: deepFreeze(value), bytes: bytesOf(value) });
      }
      return value;
    });
    const entry = { generation, read };
    this.reading.set(key, entry);
    const done = () => {
      if (this.reading.get(key) === entry) this.reading.delete(key);
    };
    read.then(done, done);
    return read;
  }
}

/** Users and buckets for one front end, checked against stanchion's log per request. */
export class RecordCache<Access> {
  private readonly usersByKey: Shelf<UserRecord>;
  private readonly usersById: Shelf<UserRecord>;
  private readonly buckets: Shelf<BucketRecord>;
  private readonly access = new WeakMap<BucketRecord, Access>();
  /** Each request's check, made once and shared by every lookup of that request. */
  private readonly checks = new WeakMap<object, Promise<Check>>();

  constructor(
    private readonly ring: RingClient,
    private readonly revalidator: Revalidator,
    private readonly compile: (bucket: BucketRecord) => Access,
    limits: RecordCacheLimits = RECORD_CACHE_LIMITS,
  ) {
    this.usersByKey = new Shelf(limits, (keyId) => readUserByKey(ring, keyId));
    this.usersById = new Shelf(limits, (id) => readUserById(ring, id));
    this.buckets = new Shelf(limits, (name) => readBucket(ring, name));
  }

  /** Evicts what stanchion says changed (the Revalidator's sink). */
  evict(changed: ChangedKeys): void {
    this.usersByKey.evict(changed.keyIds);
    this.usersById.evict(changed.userIds);
    this.buckets.evict(changed.buckets);
  }

  /** Drops everything. */
  clear(): void {
    this.usersByKey.clear();
    this.usersById.clear();
    this.buckets.clear();
  }

  /** Entries held, per kind (for tests and stats). */
  sizes(): { usersByKey: number; usersById: number; buckets: number } {
    const { usersByKey, usersById, buckets } = this;
    return { usersByKey: usersByKey.size, usersById: usersById.size, buckets: buckets.size };
  }

  /** The user holding `keyId`, as of a check made for `request` (any object per request). */
  async userByKey(request: object, keyId: string): Promise<UserRecord | undefined> {
    const generation = await this.checkFor(request);
    if (generation === undefined) return readUserByKey(this.ring, keyId);
    return this.usersByKey.get(keyId, generation, () => this.revalidator.generation);
  }

  /** The user with canonical id `id`, as of the request's check. */
  async userById(request: object, id: string): Promise<UserRecord | undefined> {
    const generation = await this.checkFor(request);
    if (generation === undefined) return readUserById(this.ring, id);
    return this.usersById.get(id, generation, () => this.revalidator.generation);
  }

  /** The bucket named `name` (none when deleted), as of the request's check. */
  async bucket(request: object, name: string): Promise<BucketRecord | undefined> {
    const generation = await this.checkFor(request);
    if (generation === undefined) return readBucket(this.ring, name);
    const bucket = await this.buckets.get(name, generation, () => this.revalidator.generation);
    if (bucket && Object.isFrozen(bucket) && !this.access.has(bucket)) this.precompile(bucket);
    return bucket;
  }

  /** The compiled access rules of a bucket this cache handed out; undefined for others. */
  accessOf(bucket: BucketRecord): Access | undefined {
    return this.access.get(bucket);
  }

  private precompile(bucket: BucketRecord): void {
    try {
      this.access.set(bucket, this.compile(bucket));
    } catch {
      // Compiled again (and the error met) where the request needs it, as without a cache.
    }
  }

  private checkFor(request: object): Promise<Check> {
    let check = this.checks.get(request);
    if (!check) {
      check = this.revalidator.check();
      this.checks.set(request, check);
    }
    return check;
  }
}
