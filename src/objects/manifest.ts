/**
 * The manifest: everything about one stored object version except its bytes. Stored under
 * (manifests, bucket id, object key), so a bucket's manifests are one ordered range.
 */
import type { AccessControlList } from '../../stanchion/core/records.js';
import type { Retention } from './object-lock.js';
import { sealedLength } from './encryption/chunked-gcm.js';
import type { EncryptionRecord } from './encryption/sse-keys.js';

/** Standard headers an object keeps and returns. */
export interface StoredHeaders {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  /** x-amz-website-redirect-location: where the website endpoint sends a browser. */
  websiteRedirectLocation?: string;
}

/** One tag of an object (or, in bucket settings, of a bucket). */
export interface Tag {
  key: string;
  value: string;
}

/**
 * One part of an object completed from a multipart upload. The object's bytes are its
 * parts' bytes in order; each part keeps the blocks it was uploaded as, so completing an
 * upload writes no data.
 */
export interface ManifestPart {
  partNumber: number;
  /** Bytes in this part. */
  size: number;
  /** Hex MD5 of the part's bytes (no quotes). */
  etag: string;
  /** The part's block id prefix: its blocks are blockKey(versionId, n). */
  versionId: string;
  blockSize: number;
  blockCount: number;
  /** Flexible checksums of the part: algorithm (e.g. 'crc32') → base64 value. */
  checksums?: Record<string, string>;
}

/** One object version. */
export interface Manifest {
  /** Format version of this record, for later migrations. */
  format: 1;
  versionId: string;
  bucketId: string;
  key: string;
  size: number;
  /** Hex MD5 of the bytes (no quotes). */
  etag: string;
  lastModifiedMs: number;
  blockSize: number;
  blockCount: number;
  headers: StoredHeaders;
  /** x-amz-meta-* names (lowercased, without the prefix) and values. */
  metadata: Record<string, string>;
  /** Flexible checksums verified on upload: algorithm (e.g. 'crc32') → base64 value. */
  checksums: Record<string, string>;
  /** Object tags, in the order they were given; absent when there are none. */
  tags?: Tag[];
  /**
   * The object's owner and grants. Absent on objects written before ACLs existed, which
   * only the bucket owner could write: those are private to the bucket owner.
   */
  acl?: AccessControlList;
  /**
   * The parts of an object made by CompleteMultipartUpload, in order; the version's own
   * blockCount is then 0. Absent for an object written by one PUT.
   */
  parts?: ManifestPart[];
  /**
   * Instead of `parts`, for an object of more parts than one chunk holds (part-chunks.ts):
   * where its part list's chunk records are, written before this manifest.
   */
  partIndex?: PartIndex;
  /** x-amz-storage-class; absent for STANDARD (and on objects written before classes). */
  storageClass?: string;
  /**
   * How `checksums` covers a multipart object: COMPOSITE (a checksum of the parts'
   * checksums, "-N" appended) or FULL_OBJECT (a CRC of all the bytes, combined from the
   * parts'). Absent: COMPOSITE for a multipart object, FULL_OBJECT for one PUT.
   */
  checksumType?: ChecksumType;
  /**
   * The upload CompleteMultipartUpload made this version from, so that a retried Complete
   * of the same upload (its answer was lost) is answered again instead of NoSuchUpload.
   */
  uploadId?: string;
  /**
   * The object's bytes, for an object small enough to be stored in its manifest record (then
   * blockCount is 0 and there are no blocks). Not part of the JSON: encodeManifest appends
   * the bytes after it. Absent on every object stored in blocks.
   */
  inline?: Buffer;
  /**
   * Set on every version of a versioned (or suspended) bucket: the version's place in its
   * key's version order (version-id.ts), which alone decides which version is current. The
   * record is then stored twice: under the versions keyspace (versionSortKey) and, while it
   * is the newest, as the key's current manifest. Absent on objects of a bucket never
   * versioned, which keep today's single record. (Object lock's retention and legal hold,
   * when they come, belong next to these: per version, on this record.)
   */
  orderId?: string;
  /** The version's S3 id is "null" (written while versioning was suspended). */
  nullVersion?: true;
  /** A delete marker: no bytes, no blocks; GET of the key answers 404. */
  deleteMarker?: true;
  /** Object lock retention (object-lock.ts); absent: none. Rewritten through the store. */
  retention?: Retention;
  /** Object lock legal hold; absent: off. */
  legalHold?: true;
  /**
   * Server-side encryption (SSE-C or SSE-S3): how the data key is found again. Its blocks
   * and inline bytes are then sealed chunks (encryption/chunked-gcm.ts); `size` and `etag`
   * stay the plaintext's. Absent on every object stored in the clear.
   */
  encryption?: EncryptionRecord;
}

/** Stored bytes of an object's inline body: its size, or the sealed length when encrypted. */
export function inlineBytesOf(manifest: Pick<Manifest, 'size' | 'encryption'>): number {
  const { size, encryption } = manifest;
  return encryption ? sealedLength(size, encryption.chunkBytes) : size;
}

/** The id S3 shows for a version: its order id, or "null" (see Manifest.orderId). */
export function s3VersionIdOf(manifest: Pick<Manifest, 'orderId' | 'nullVersion'>): string {
  return manifest.orderId === undefined || manifest.nullVersion ? 'null' : manifest.orderId;
}

/** What a head manifest keeps of a part list stored in chunk records (part-chunks.ts). */
export interface PartIndex {
  /** Parts in the object. */
  count: number;
  /** Parts per chunk: chunk n holds parts [n × perChunk, (n + 1) × perChunk). */
  perChunk: number;
  /** Bytes in each chunk's parts, in chunk order. */
  chunkBytes: number[];
}

/** Whether an object was made by CompleteMultipartUpload (its parts inline or chunked). */
export function isMultipart(manifest: Pick<Manifest, 'parts' | 'partIndex'>): boolean {
  return manifest.parts !== undefined || manifest.partIndex !== undefined;
}

/** Number of parts of a multipart object (0 for one from a single PUT). */
export function partCountOf(manifest: Pick<Manifest, 'parts' | 'partIndex'>): number {
  return manifest.parts?.length ?? manifest.partIndex?.count ?? 0;
}

/** How a multipart object's checksum is computed (S3's x-amz-checksum-type). */
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** The checksum type of a stored object (see Manifest.checksumType). */
export function checksumTypeOf(
  manifest: Pick<Manifest, 'checksumType' | 'parts' | 'partIndex'>,
): ChecksumType {
  return manifest.checksumType ?? (isMultipart(manifest) ? 'COMPOSITE' : 'FULL_OBJECT');
}

/** The block partition key of block `n` of a version: blocks spread over the whole ring. */
export function blockKey(versionId: string, n: number): string {
  return `${versionId}:${n}`;
}

/**
 * Marks a record that carries inline bytes: JSON never starts with a zero byte, so every
 * record written before inline objects (plain JSON) still decodes as it always did.
 */
const INLINE_MARK = 0x00;
/** Mark byte, then the JSON's length as a 32-bit big-endian integer. */
const INLINE_HEADER_BYTES = 5;

/**
 * Encodes a manifest for the ring: plain JSON, or for an inline object the mark, the JSON's
 * length, the JSON and then the object's bytes (raw: no base64 to pay on every GET).
 */
export function encodeManifest(manifest: Manifest): Buffer {
  const { inline, ...rest } = manifest;
  // An empty object needs no bytes: its record stays the old format, so a store run with
  // inlining off (object.inline_max = 0) writes only records an older release can read.
  if (!inline || inline.length === 0) return Buffer.from(JSON.stringify(rest), 'utf8');
  const json = Buffer.from(JSON.stringify(rest), 'utf8');
  const header = Buffer.allocUnsafe(INLINE_HEADER_BYTES);
  header[0] = INLINE_MARK;
  header.writeUInt32BE(json.length, 1);
  return Buffer.concat([header, json, inline]);
}

/** Decodes and checks a manifest read from the ring; throws on a corrupt record. */
export function decodeManifest(value: Buffer): Manifest {
  let manifest: Manifest;
  if (value.length > 0 && value[0] === INLINE_MARK) {
    if (value.length < INLINE_HEADER_BYTES) throw new Error('corrupt manifest record');
    const end = INLINE_HEADER_BYTES + value.readUInt32BE(1);
    if (end > value.length) throw new Error('corrupt manifest record');
    manifest = JSON.parse(value.toString('utf8', INLINE_HEADER_BYTES, end)) as Manifest;
    // A view, not a copy: the record's buffer is not reused once read.
    manifest.inline = value.subarray(end);
    if (manifest.inline.length !== inlineBytesOf(manifest))
      throw new Error('corrupt manifest record');
  } else {
    manifest = JSON.parse(value.toString('utf8')) as Manifest;
  }
  if (manifest.format !== 1 || typeof manifest.versionId !== 'string') {
    throw new Error('corrupt manifest record');
  }
  return manifest;
}

/**
 * The S3 view of concurrent manifest siblings: the newest write wins (by last-modified
 * time, then version id, then bytes, so every reader picks the same one). The losers stay
 * known to the object layer, which queues their blocks for GC.
 */
export function newestManifest(values: Buffer[]): Buffer {
  return values[newestIndex(values.map(decodeManifest), values)]!;
}

/** Where the newest of decoded siblings `manifests` (encoded as `values`) is; see above. */
export function newestIndex(manifests: readonly Manifest[], values: readonly Buffer[]): number {
  let best = 0;
  for (let i = 1; i < manifests.length; i++) {
    const manifest = manifests[i]!;
    const top = manifests[best]!;
    // Two versions of a versioned bucket: the version order decides, not the clocks.
    const ordered = manifest.orderId !== undefined && top.orderId !== undefined;
    if (ordered && manifest.orderId !== top.orderId) {
      if (manifest.orderId! > top.orderId!) best = i;
      continue;
    }
    const newer =
      manifest.lastModifiedMs > top.lastModifiedMs ||
      (manifest.lastModifiedMs === top.lastModifiedMs &&
        (manifest.versionId > top.versionId ||
          // Two taggings of one version: the bytes decide, so every reader agrees.
          (manifest.versionId === top.versionId && Buffer.compare(values[i]!, values[best]!) > 0)));
    if (newer) best = i;
  }
  return best;
}
