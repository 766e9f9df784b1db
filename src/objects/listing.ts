/**
 * ListObjects over one bucket's ordered manifests: prefix, delimiter (CommonPrefixes),
 * marker and max-keys, as S3 defines them. Its cost grows with the page, not the bucket:
 * a common prefix is skipped in one seek past every key that shares it.
 */
import type { Manifest } from './manifest.js';

/** Reads manifests in key order: `after` exclusive, `prefix` filter, at most `limit`. */
export type ManifestScan = (options: {
  after?: Buffer;
  prefix?: Buffer;
  limit: number;
}) => Promise<Manifest[]>;

/** A listing request, keys as UTF-8 text. */
export interface ListRequest {
  prefix: string;
  delimiter?: string;
  /** List only keys (and common prefixes) strictly after this. */
  after?: string;
  maxKeys: number;
}

/** One entry of a page, in key order. */
export type ListEntry = { kind: 'object'; manifest: Manifest } | { kind: 'prefix'; prefix: string };

/** A page of results. */
export interface ListPage {
  entries: ListEntry[];
  isTruncated: boolean;
  /** The last key or common prefix in the page. */
  lastKey?: string;
}

const SCAN_BATCH_MAX = 1000;

/** Lists one page. */
export async function listPage(scan: ManifestScan, request: ListRequest): Promise<ListPage> {
  const entries: ListEntry[] = [];
  const prefix = Buffer.from(request.prefix, 'utf8');
  const marker = request.after === undefined ? undefined : Buffer.from(request.after, 'utf8');
  let cursor: Buffer | undefined = marker;
  for (;;) {
    const limit = Math.min(SCAN_BATCH_MAX, request.maxKeys - entries.length + 1);
    const batch = await scan({ after: cursor, prefix, limit });
    let skipTo: Buffer | undefined;
    for (const manifest of batch) {
      const key = Buffer.from(manifest.key, 'utf8');
      // A key whose current version is a delete marker is not listed (nor rolled up).
      if (manifest.deleteMarker) {
        cursor = key;
        continue;
      }
      const common = commonPrefixOf(manifest.key, request);
      if (common !== undefined) {
        const commonBytes = Buffer.from(common, 'utf8');
        skipTo = Buffer.concat([commonBytes, Buffer.from([0xff])]);
        if (marker && Buffer.compare(commonBytes, marker) <= 0) break;
        if (entries.length === request.maxKeys) return truncated(entries);
        entries.push({ kind: 'prefix', prefix: common });
        break;
      }
      if (entries.length === request.maxKeys) return truncated(entries);
      entries.push({ kind: 'object', manifest });
      cursor = key;
    }
    if (skipTo) {
      cursor = skipTo;
      continue;
    }
    if (batch.length < limit) return { entries, isTruncated: false, lastKey: lastKeyOf(entries) };
  }
}

function truncated(entries: ListEntry[]): ListPage {
  return { entries, isTruncated: true, lastKey: lastKeyOf(entries) };
}

function lastKeyOf(entries: ListEntry[]): string | undefined {
  const last = entries.at(-1);
  if (!last) return undefined;
  return last.kind === 'object' ? last.manifest.key : last.prefix;
}

/** The common prefix `key` rolls up into, or undefined when it is listed itself. */
function commonPrefixOf(key: string, request: ListRequest): string | undefined {
  if (!request.delimiter) return undefined;
  const at = key.indexOf(request.delimiter, request.prefix.length);
  return at < 0 ? undefined : key.slice(0, at + request.delimiter.length);
}
