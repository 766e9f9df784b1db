/**
 * ListObjectVersions over one bucket: every version and delete marker in S3's order (keys
 * ascending, each key's versions newest first), with prefix, delimiter (CommonPrefixes),
 * key-marker / version-id-marker and max-keys. Two ordered scans are merged: the versions
 * keyspace (version-keys.ts: one range per key, newest first) and the current manifests
 * of objects written before the bucket was versioned, each its key's one "null" version
 * (its position, the bare key, sorts before that key's version records). Cost grows with
 * the page: a common prefix is skipped in one seek in each scan.
 */
import type { Manifest } from './manifest.js';
import { afterKeyVersions, parseVersionSortKey } from './version-keys.js';

/** A range read: `after` exclusive, `prefix` filter, at most `limit`, in sort-key order. */
export type SortedScan = (options: {
  after?: Buffer;
  prefix?: Buffer;
  limit: number;
}) => Promise<Array<{ sk: Buffer; manifest: Manifest }>>;

/** Where a listing resumes: after this key, or after this version of it. */
export interface VersionMarker {
  key: string;
  /** Sort key of the version to resume after; absent: after every version of `key`. */
  versionSk?: Buffer;
}

/** A ListObjectVersions request. */
export interface VersionListRequest {
  prefix: string;
  delimiter?: string;
  marker?: VersionMarker;
  maxKeys: number;
}

/** One entry of a page, in S3's order. */
export type VersionEntry =
  { kind: 'version'; manifest: Manifest; isLatest: boolean } | { kind: 'prefix'; prefix: string };

/** A page, and whether more follows. */
export interface VersionPage {
  entries: VersionEntry[];
  isTruncated: boolean;
}

interface Item {
  /** Position in the merged order. */
  at: Buffer;
  key: string;
  manifest: Manifest;
}

const BATCH_MAX = 1000;

/** One ordered scan read in batches from a position; `keep` drops items of no interest. */
function cursorOver(scan: SortedScan, prefix: Buffer, keep: (item: Item) => boolean) {
  let buffer: Item[] = [];
  let after: Buffer | undefined;
  let done = false;
  const fill = async () => {
    while (buffer.length === 0 && !done) {
      const batch = await scan({ prefix, limit: BATCH_MAX, ...(after ? { after } : {}) });
      done = batch.length < BATCH_MAX;
      if (batch.length > 0) after = batch.at(-1)!.sk;
      buffer = batch.map(toItem).filter((item): item is Item => !!item && keep(item));
    }
  };
  return {
    seek(to: Buffer | undefined) {
      after = to;
      buffer = [];
      done = false;
    },
    async peek(): Promise<Item | undefined> {
      await fill();
      return buffer[0];
    },
    take() {
      buffer.shift();
    },
  };
}

function toItem(raw: { sk: Buffer; manifest: Manifest }): Item | undefined {
  if (raw.manifest.orderId === undefined) {
    return { at: raw.sk, key: raw.manifest.key, manifest: raw.manifest };
  }
  const parsed = parseVersionSortKey(raw.sk);
  return parsed && { at: raw.sk, key: parsed.key, manifest: raw.manifest };
}

/**
 * Lists one page. `versions` scans the versions keyspace, `currents` the current manifests
 * (each with its key, as UTF-8, for sort key); only unversioned ones are listed from it.
 */
export async function listVersionsPage(
  versions: SortedScan,
  currents: SortedScan,
  request: VersionListRequest,
): Promise<VersionPage> {
  const prefix = Buffer.from(request.prefix, 'utf8');
  const v = cursorOver(versions, prefix, () => true);
  const l = cursorOver(currents, prefix, (item) => item.manifest.orderId === undefined);
  const marker = request.marker;
  const markerKey = marker && Buffer.from(marker.key, 'utf8');
  if (marker) {
    v.seek(marker.versionSk ?? afterKeyVersions(marker.key));
    l.seek(markerKey);
  }
  const entries: VersionEntry[] = [];
  // Resuming inside a key's versions: its first one listed here is not its newest.
  let lastKey: string | undefined = marker?.versionSk ? marker.key : undefined;
  for (;;) {
    const [a, b] = [await v.peek(), await l.peek()];
    const item = !a ? b : !b ? a : Buffer.compare(b.at, a.at) < 0 ? b : a;
    if (!item) return { entries, isTruncated: false };
    const common = commonPrefixOf(item.key, request);
    if (common !== undefined) {
      const skip = Buffer.concat([Buffer.from(common, 'utf8'), Buffer.from([0xff])]);
      v.seek(skip);
      l.seek(skip);
      const commonBytes = Buffer.from(common, 'utf8');
      if (markerKey && Buffer.compare(commonBytes, markerKey) <= 0) continue;
      if (entries.length === request.maxKeys) return { entries, isTruncated: true };
      entries.push({ kind: 'prefix', prefix: common });
      lastKey = undefined;
      continue;
    }
    if (entries.length === request.maxKeys) return { entries, isTruncated: true };
    (item === a ? v : l).take();
    entries.push({ kind: 'version', manifest: item.manifest, isLatest: item.key !== lastKey });
    lastKey = item.key;
  }
}

/** The common prefix `key` rolls up into, or undefined when it is listed itself. */
function commonPrefixOf(key: string, request: VersionListRequest): string | undefined {
  if (!request.delimiter) return undefined;
  const at = key.indexOf(request.delimiter, request.prefix.length);
  return at < 0 ? undefined : key.slice(0, at + request.delimiter.length);
}
