/**
 * ListMultipartUploads over one bucket's ordered uploads (sort key: key NUL upload id):
 * prefix, delimiter, key-marker, upload-id-marker and max-uploads as S3 defines them. Like
 * ListObjects, its cost grows with the page: a common prefix is skipped in one seek.
 */
import { uploadSortKey, type UploadRecord } from './multipart.js';

/** Reads uploads in sort-key order: `after` exclusive, `prefix` filter, at most `limit`. */
export type UploadScan = (options: {
  after?: Buffer;
  prefix?: Buffer;
  limit: number;
}) => Promise<UploadRecord[]>;

/** A ListMultipartUploads request. */
export interface UploadListRequest {
  prefix: string;
  delimiter?: string;
  /** List keys after this one (and, with uploadIdMarker, this key's later uploads). */
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
}

/** One entry of a page, in order. */
export type UploadListEntry =
  { kind: 'upload'; upload: UploadRecord } | { kind: 'prefix'; prefix: string };

/** A page of uploads. */
export interface UploadListPage {
  entries: UploadListEntry[];
  isTruncated: boolean;
}

const SCAN_BATCH_MAX = 1000;
/** Sorts after every upload of a key: upload ids are ASCII, and 0xff never occurs in UTF-8. */
const AFTER_ALL = Buffer.from([0xff]);

/** Where a listing starts: after the marker key's uploads, or after one of them. */
function startAfter(request: UploadListRequest): Buffer | undefined {
  const { keyMarker, uploadIdMarker } = request;
  if (keyMarker === undefined || keyMarker === '') return undefined;
  if (uploadIdMarker) return Buffer.from(uploadSortKey(keyMarker, uploadIdMarker), 'utf8');
  return Buffer.concat([Buffer.from(`${keyMarker}\0`, 'utf8'), AFTER_ALL]);
}

/** Lists one page. */
export async function listUploadsPage(
  scan: UploadScan,
  request: UploadListRequest,
): Promise<UploadListPage> {
  const entries: UploadListEntry[] = [];
  if (request.maxUploads === 0) return { entries, isTruncated: false };
  const prefix = Buffer.from(request.prefix, 'utf8');
  const marker = request.keyMarker ? Buffer.from(request.keyMarker, 'utf8') : undefined;
  let cursor = startAfter(request);
  for (;;) {
    const limit = Math.min(SCAN_BATCH_MAX, request.maxUploads - entries.length + 1);
    const batch = await scan({ after: cursor, prefix, limit });
    let skipTo: Buffer | undefined;
    for (const upload of batch) {
      const common = commonPrefixOf(upload.key, request);
      if (common !== undefined) {
        const commonBytes = Buffer.from(common, 'utf8');
        skipTo = Buffer.concat([commonBytes, AFTER_ALL]);
        if (marker && Buffer.compare(commonBytes, marker) <= 0) break;
        if (entries.length === request.maxUploads) return { entries, isTruncated: true };
        entries.push({ kind: 'prefix', prefix: common });
        break;
      }
      if (entries.length === request.maxUploads) return { entries, isTruncated: true };
      entries.push({ kind: 'upload', upload });
      cursor = Buffer.from(uploadSortKey(upload.key, upload.uploadId), 'utf8');
    }
    if (skipTo) {
      cursor = skipTo;
      continue;
    }
    if (batch.length < limit) return { entries, isTruncated: false };
  }
}

function commonPrefixOf(key: string, request: UploadListRequest): string | undefined {
  if (!request.delimiter) return undefined;
  const at = key.indexOf(request.delimiter, request.prefix.length);
  return at < 0 ? undefined : key.slice(0, at + request.delimiter.length);
}
