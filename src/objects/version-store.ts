/**
 * The versions of a versioned bucket's objects. Each version (and each delete marker) is
 * its own record in the object-versions keyspace (version-keys.ts), written once and
 * replicated N ways like any value; the key's current manifest (manifests keyspace, what
 * GET without versionId and ListObjects read) is a copy of its newest version. "Newest" is
 * the greatest order id (version-id.ts): a writer whose version is older than the current
 * one leaves the current manifest alone, and siblings of the current manifest resolve by
 * order id, so concurrent PUTs from two front ends both survive as versions and every
 * reader agrees which one is current. Objects written before the bucket was versioned have
 * no version record: such a current manifest is the key's "null" version until a write
 * moves it into the versions keyspace (enabled) or replaces it (suspended), as S3 does.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { DeadBlocks, GcQueue } from './gc-queue.js';
import { decodeManifest, encodeManifest, newestIndex, type Manifest } from './manifest.js';
import { isLocked, ObjectLockedError, removalRefusal } from './object-lock.js';
import { NULL_VERSION_ID } from './version-id.js';
import { resolveVersionSiblings } from './version-siblings.js';
import { keyVersionsPrefix, parseVersionSortKey, versionSortKey } from './version-keys.js';

/** What the version store needs of the object store around it. */
export interface VersionStoreDeps {
  ring: RingClient;
  gc: GcQueue;
  clock: () => number;
  /** A new version id, greater than every one this front end made before. */
  newVersionId: () => string;
  /** What a removed version leaves for GC (its blocks, parts and chunk records). */
  deadOf: (old: Manifest) => Promise<DeadBlocks>;
  /** Removes an unversioned ("legacy") current object and queues its blocks. */
  deleteLegacy: (bucketId: string, key: string) => Promise<void>;
  /** The object store's CommitObserver: told when the current object changes. */
  observer?: {
    onCommit(bucketId: string, before: Manifest | undefined, after: Manifest | undefined): void;
  };
}

/** One version found by a scan of the versions keyspace, with its sort key. */
export interface VersionItem {
  sk: Buffer;
  manifest: Manifest;
}

const KEY_SCAN_BATCH = 100;
/** Settling passes after a version delete; two suffice unless removers keep racing. */
const SETTLE_PASSES_MAX = 5;

/** How the current manifest changed: the version before and the one after, if any. */
interface CurrentChange {
  before?: Manifest;
  after?: Manifest;
}

/** Versions of objects on the ring (see the file comment). */
export class VersionStore {
  constructor(private readonly deps: VersionStoreDeps) {}

  /** A new version id (version-id.ts), for a version this front end is about to write. */
  newVersionId(): string {
    return this.deps.newVersionId();
  }

  /** The key's current record, a delete marker included; undefined when there is none. */
  async current(bucketId: string, key: string): Promise<Manifest | undefined> {
    const read = await this.deps.ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    return newestOf(read.values);
  }

  /**
   * Stores `manifest` (which has an order id) as a version of its key and makes it current
   * unless a newer version already is. `precondition` sees the current object (none when
   * the current record is a delete marker) right before the writes.
   */
  async commit(
    manifest: Manifest,
    precondition?: (current: Manifest | undefined, size?: number) => void,
  ): Promise<Manifest> {
    const { ring } = this.deps;
    const { bucketId, key } = manifest;
    const read = await ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    const siblings = read.values.map(decodeManifest);
    const current = siblings[newestIndex(siblings, read.values)];
    precondition?.(current?.deleteMarker ? undefined : current, manifest.size);
    const replaced = await this.settleNullVersion(manifest, siblings, current);
    const value = encodeManifest(manifest);
    await ring.put(
      KEYSPACES.objectVersions,
      bucketId,
      versionSortKey(key, manifest.orderId!),
      value,
    );
    const isNewest = current?.orderId === undefined || current.orderId < manifest.orderId!;
    if (isNewest) {
      await ring.putVersioned(KEYSPACES.manifests, bucketId, key, value, read.context);
      this.deps.observer?.onCommit(bucketId, visible(current), visible(manifest));
    }
    await this.recheckCurrent(manifest, isNewest);
    // The version that stopped being current (kept unless replaced), or this one if older.
    const demoted = isNewest ? current : manifest;
    const gone = (m: Manifest) => replaced.some((old) => sameVersion(old, m));
    if (demoted && !gone(demoted)) this.countNoncurrent(bucketId, undefined, demoted);
    for (const old of replaced) {
      // A replaced null version record that was not current was counted noncurrent.
      const wasNoncurrent = old.orderId !== undefined && !(current && sameVersion(old, current));
      if (wasNoncurrent) this.countNoncurrent(bucketId, old, undefined);
      await this.collect(old);
    }
    return manifest;
  }

  /**
   * After a write: a version delete may have removed this record before the current
   * manifest was written (which then names a removed version), or removed the newer
   * current one while this older record was being written (which may now be the newest).
   * Either way the current manifest is settled again; otherwise this costs one read.
   */
  private async recheckCurrent(manifest: Manifest, isNewest: boolean): Promise<void> {
    const { bucketId, key, orderId } = manifest;
    if (isNewest) {
      const sk = versionSortKey(key, orderId!);
      const kept = await this.deps.ring.get(KEYSPACES.objectVersions, bucketId, sk);
      if (!kept) await this.settleCurrent(bucketId, key);
      return;
    }
    const now = await this.current(bucketId, key);
    if ((now?.orderId ?? '') < orderId!) await this.settleCurrent(bucketId, key);
  }

  /**
   * Before a new version is written over the current manifest: an unversioned current
   * object becomes the null version (kept, when versioning is enabled) or is replaced (a
   * suspended bucket's new null version); a suspended write also replaces any earlier null
   * version record. Returns the versions replaced, whose blocks go to GC once the new one
   * is written.
   */
  private async settleNullVersion(
    manifest: Manifest,
    siblings: readonly Manifest[],
    current: Manifest | undefined,
  ): Promise<Manifest[]> {
    const legacy = siblings.filter((m) => m.orderId === undefined);
    const replaced: Manifest[] = [];
    for (const old of legacy) {
      // Versioning enabled: the current unversioned object stays, as the null version.
      const keep = !manifest.nullVersion && current?.orderId === undefined && old === current;
      if (!keep) {
        replaced.push(old);
        continue;
      }
      await this.keepNullRecord({ ...old, orderId: legacyOrderId(old), nullVersion: true });
    }
    if (!manifest.nullVersion) return replaced;
    for (const item of await this.keyVersions(manifest.bucketId, manifest.key)) {
      if (!item.manifest.nullVersion) continue;
      this.refuseLocked(item.manifest);
      await this.deps.ring.delete(KEYSPACES.objectVersions, manifest.bucketId, item.sk);
      replaced.push(item.manifest);
    }
    return replaced;
  }

  /**
   * The version `versionId` ("null" included) of `key`, a delete marker included, or
   * undefined. The caller has checked the id's form.
   */
  async get(bucketId: string, key: string, versionId: string): Promise<Manifest | undefined> {
    if (versionId === NULL_VERSION_ID) return (await this.findNull(bucketId, key))?.manifest;
    const sk = versionSortKey(key, versionId);
    const value = await this.deps.ring.get(KEYSPACES.objectVersions, bucketId, sk);
    return value ? decodeManifest(value) : undefined;
  }

  /** The null version: a version record, or an unversioned current object. */
  private async findNull(bucketId: string, key: string): Promise<VersionItem | undefined> {
    for (const item of await this.keyVersions(bucketId, key)) {
      if (item.manifest.nullVersion) return item;
    }
    const current = await this.current(bucketId, key);
    if (current && current.orderId === undefined) return { sk: Buffer.alloc(0), manifest: current };
    return undefined;
  }

  /**
   * Removes one version for good (S3's DELETE with versionId) and queues its blocks; when it
   * was current, the next newest version (or marker) becomes current, or the key goes.
   * Returns the version removed; undefined when there was none.
   */
  async deleteVersion(
    bucketId: string,
    key: string,
    versionId: string,
    options: { bypassGovernance?: boolean } = {},
  ): Promise<Manifest | undefined> {
    const found =
      versionId === NULL_VERSION_ID
        ? await this.findNull(bucketId, key)
        : await this.findById(bucketId, key, versionId);
    if (!found) return undefined;
    this.refuseLocked(found.manifest, options.bypassGovernance);
    if (found.manifest.orderId === undefined) {
      await this.deps.deleteLegacy(bucketId, key);
      return found.manifest;
    }
    await this.deps.ring.delete(KEYSPACES.objectVersions, bucketId, found.sk);
    const change = await this.settleCurrent(bucketId, key);
    const wasCurrent = change?.before && sameVersion(change.before, found.manifest);
    if (!wasCurrent) this.countNoncurrent(bucketId, found.manifest, undefined);
    else if (change.after) this.countNoncurrent(bucketId, change.after, undefined);
    await this.collect(found.manifest);
    return found.manifest;
  }

  private async findById(bucketId: string, key: string, versionId: string) {
    const sk = versionSortKey(key, versionId);
    const value = await this.deps.ring.get(KEYSPACES.objectVersions, bucketId, sk);
    return value ? { sk, manifest: decodeManifest(value) } : undefined;
  }

  /**
   * Makes the key's current manifest its newest version record (or removes it when no
   * record is left): after a version is removed, and after a write whose own record a
   * concurrent version delete removed before its current manifest was written. Each pass
   * reads again after writing: a concurrent remover may have written what it found newest
   * before this write, and the last writer to look is the one that leaves it right. An
   * unversioned current object is left alone. Returns the first change made, if any.
   */
  async settleCurrent(bucketId: string, key: string): Promise<CurrentChange | undefined> {
    let first: CurrentChange | undefined;
    for (let pass = 0; pass < SETTLE_PASSES_MAX; pass++) {
      const change = await this.settleOnce(bucketId, key);
      if (!change) return first;
      first ??= change;
    }
    return first;
  }

  private async settleOnce(bucketId: string, key: string): Promise<CurrentChange | undefined> {
    const { ring } = this.deps;
    const read = await ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    const current = newestOf(read.values);
    if (current && current.orderId === undefined) return undefined;
    const [next] = await this.keyVersions(bucketId, key, 1);
    const settled = current?.orderId === next?.manifest.orderId && read.values.length <= 1;
    if (settled) return undefined;
    const value = next ? encodeManifest(next.manifest) : null;
    await ring.putVersioned(KEYSPACES.manifests, bucketId, key, value, read.context);
    this.deps.observer?.onCommit(bucketId, visible(current), visible(next?.manifest));
    return { ...(current ? { before: current } : {}), ...(next ? { after: next.manifest } : {}) };
  }

  /** Storage accounting of noncurrent versions: one leaves the set, one joins it. */
  private countNoncurrent(bucketId: string, left?: Manifest, joined?: Manifest): void {
    const key = noncurrentCounterKey(bucketId);
    this.deps.observer?.onCommit(key, visible(left), visible(joined));
  }

  /**
   * Rewrites one version's record with `change` (its tags or ACL), and the current manifest
   * too when it is that version. undefined when there is no such version or it is a marker.
   */
  async rewrite(
    record: Manifest,
    change: (current: Manifest) => Manifest,
  ): Promise<Manifest | undefined> {
    const { ring } = this.deps;
    const { bucketId, key, orderId } = record;
    const sk = versionSortKey(key, orderId!);
    const stored = await ring.getVersioned(KEYSPACES.objectVersions, bucketId, sk);
    const version = stored.values.length
      ? resolveVersionSiblings(stored.values.map(decodeManifest), stored.values)
      : undefined;
    if (!version || version.deleteMarker) return undefined;
    const changed = change(version);
    const value = encodeManifest(changed);
    await ring.putVersioned(KEYSPACES.objectVersions, bucketId, sk, value, stored.context);
    const read = await ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    if (newestOf(read.values)?.orderId === orderId) {
      await ring.putVersioned(KEYSPACES.manifests, bucketId, key, value, read.context);
    }
    return changed;
  }

  /**
   * The key's null version as a version record, made from its unversioned current object
   * (written before versioning) when it has none yet, as the first versioned write of the
   * key would: the record, then the current manifest replaced by it, so that a lock can be
   * kept on it (rewrite). Undefined when the key has no null version.
   */
  async adoptNullVersion(bucketId: string, key: string): Promise<Manifest | undefined> {
    const { ring } = this.deps;
    const read = await ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    const current = newestOf(read.values);
    // Already a record (a concurrent write copied it first), or none at all.
    if (current?.orderId !== undefined || !current) return this.get(bucketId, key, 'null');
    const adopted = { ...current, orderId: legacyOrderId(current), nullVersion: true as const };
    await this.keepNullRecord(adopted);
    await ring.putVersioned(
      KEYSPACES.manifests,
      bucketId,
      key,
      encodeManifest(adopted),
      read.context,
    );
    return (await this.get(bucketId, key, adopted.orderId)) ?? adopted;
  }

  /**
   * Writes the null version record copied from an unversioned object, unless it is there
   * already: a lock (or tags) may have been put on it since, which a copy would undo. A
   * concurrent copy becomes a sibling, resolved without losing a lock (version-siblings.ts).
   */
  private async keepNullRecord(record: Manifest): Promise<void> {
    const { ring } = this.deps;
    const sk = versionSortKey(record.key, record.orderId!);
    const stored = await ring.getVersioned(KEYSPACES.objectVersions, record.bucketId, sk);
    if (stored.values.length > 0) return;
    const value = encodeManifest(record);
    await ring.putVersioned(KEYSPACES.objectVersions, record.bucketId, sk, value, stored.context);
  }

  /** Versions of `key`, newest first; at most `limit` of them. */
  async keyVersions(bucketId: string, key: string, limit = Infinity): Promise<VersionItem[]> {
    const prefix = keyVersionsPrefix(key);
    const found: VersionItem[] = [];
    let after: Buffer | undefined;
    for (;;) {
      const batch = Math.min(KEY_SCAN_BATCH, limit - found.length);
      const items = await this.scan(bucketId, {
        prefix,
        limit: batch,
        ...(after ? { after } : {}),
      });
      // A key that extends this one with a NUL shares the prefix: its versions are skipped.
      for (const item of items) {
        if (parseVersionSortKey(item.sk)?.key === key) found.push(item);
      }
      if (items.length < batch || found.length >= limit) return found.slice(0, limit);
      after = items.at(-1)!.sk;
    }
  }

  /** Version records of a bucket in sort-key order: the scan ListObjectVersions reads. */
  async scan(
    bucketId: string,
    options: { after?: Buffer; prefix?: Buffer; limit: number },
  ): Promise<VersionItem[]> {
    const items = await this.deps.ring.scan(KEYSPACES.objectVersions, bucketId, options);
    return items.map((item) => ({ sk: item.sk, manifest: decodeManifest(item.value) }));
  }

  /** Whether the bucket holds any version record (a bucket that does is not empty). */
  async any(bucketId: string): Promise<boolean> {
    return (await this.scan(bucketId, { limit: 1 })).length > 0;
  }

  /** Removes every version record of a deleted bucket, queueing their blocks. */
  async sweepBucket(bucketId: string, batch = 1000): Promise<number> {
    let swept = 0;
    let after: Buffer | undefined;
    for (;;) {
      const items = await this.scan(bucketId, { limit: batch, ...(after ? { after } : {}) });
      for (const item of items) {
        // A locked version outlives even its bucket: its record and blocks stay.
        if (isLocked(item.manifest, this.deps.clock())) continue;
        await this.deps.ring.delete(KEYSPACES.objectVersions, bucketId, item.sk);
        await this.collect(item.manifest);
        swept++;
      }
      if (items.length < batch) return swept;
      after = items.at(-1)!.sk;
    }
  }

  /** Throws ObjectLockedError when object lock forbids removing `version` now. */
  private refuseLocked(version: Manifest, bypassGovernance = false): void {
    const refusal = removalRefusal(version, this.deps.clock(), bypassGovernance);
    if (refusal) throw new ObjectLockedError(refusal);
  }

  private async collect(old: Manifest): Promise<void> {
    if (old.deleteMarker) return;
    await this.deps.gc.enqueue(await this.deps.deadOf(old), this.deps.clock());
  }
}

/**
 * Where storage accounting counts a bucket's noncurrent versions: a counter key of its own
 * beside the bucket's (bucket ids never contain a slash), so the counters need no change.
 */
export function noncurrentCounterKey(bucketId: string): string {
  return `${bucketId}/noncurrent`;
}

/** The newest of encoded siblings (version order first, see newestIndex), if any. */
function newestOf(values: Buffer[]): Manifest | undefined {
  if (values.length === 0) return undefined;
  const manifests = values.map(decodeManifest);
  return manifests[newestIndex(manifests, values)];
}

function sameVersion(a: Manifest, b: Manifest): boolean {
  return a.versionId === b.versionId && a.orderId === b.orderId;
}

/** What storage accounting and readers count as the object: never a delete marker. */
function visible(manifest: Manifest | undefined): Manifest | undefined {
  return manifest?.deleteMarker ? undefined : manifest;
}

/**
 * The order id an unversioned object takes when it becomes the null version: its write
 * time, counter 0, front end 0, so it sorts before every version made after it.
 */
export function legacyOrderId(old: Pick<Manifest, 'lastModifiedMs'>): string {
  const time = Math.max(0, Math.floor(old.lastModifiedMs)).toString(16).padStart(12, '0');
  return `${time.slice(-12)}${'0'.repeat(14)}`;
}
