/**
 * The pure rules of multipart uploads: the records an upload and its parts are stored as,
 * the checks CompleteMultipartUpload makes (order, ETags, minimum part size), the
 * multipart ETag and the composite checksum. No ring, no clock: the store passes them in.
 */
import { createHash } from 'node:crypto';
import { createChecksum, type ChecksumAlgorithm } from '../auth/checksums.js';
import { combineCrcs, isCombinableCrc } from '../auth/crc-combine.js';
import type { AccessControlList } from '../../stanchion/core/records.js';
import type { ChecksumType, Manifest, ManifestPart, StoredHeaders, Tag } from './manifest.js';
import type { VersionLock } from './object-lock.js';
import type { EncryptionRecord } from './encryption/sse-keys.js';

/** Highest part number S3 accepts. */
export const PART_NUMBER_MAX = 10_000;

/** S3's minimum size of every part but the last, in bytes (5 MiB). */
export const PART_BYTES_MIN = 5 * 1024 * 1024;

/** An upload in progress, stored under (uploads, bucket id, key NUL upload id). */
export interface UploadRecord {
  format: 1;
  uploadId: string;
  bucketId: string;
  key: string;
  ownerId: string;
  initiatedMs: number;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  /** The x-amz-checksum-algorithm of CreateMultipartUpload: parts get this checksum. */
  checksumAlgorithm?: ChecksumAlgorithm;
  /** How the object's checksum comes from the parts'; absent (older records): COMPOSITE. */
  checksumType?: ChecksumType;
  /** x-amz-storage-class of CreateMultipartUpload; absent for STANDARD. */
  storageClass?: string;
  /** x-amz-tagging of CreateMultipartUpload: the completed object's tags; absent: none. */
  tags?: Tag[];
  /** The ACL the completed object gets (CreateMultipartUpload's x-amz-acl or grants). */
  acl?: AccessControlList;
  /** CreateMultipartUpload's x-amz-object-lock-* headers: the completed version's lock. */
  lock?: VersionLock;
  /**
   * SSE-C or SSE-S3 of CreateMultipartUpload (or the bucket's default): the completed
   * version's record. Every part is sealed under its own key derived from the data key it
   * stands for (block-seal.ts partKey); never the customer's key, only its salted MAC.
   */
  encryption?: EncryptionRecord;
}

/** One uploaded part, stored under (parts, upload id, zero-padded part number). */
export interface PartRecord extends ManifestPart {
  lastModifiedMs: number;
}

/** A part as CompleteMultipartUpload names it. */
export interface RequestedPart {
  partNumber: number;
  /** The ETag as the client sent it, quotes stripped. */
  etag: string;
  /** Checksums the client sent for the part: algorithm (e.g. 'crc32') → base64. */
  checksums: Record<string, string>;
}

/** The refusals of the multipart layer; the S3 layer answers the error of the same code. */
export type MultipartErrorCode =
  | 'NoSuchUpload'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'EntityTooSmall'
  | 'MalformedXML'
  | 'BadDigest'
  | 'InvalidRequest';

/** A refused multipart request (never a bug): converted to an S3 error at the boundary. */
export class MultipartError extends Error {
  constructor(
    readonly code: MultipartErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** The upload sort key: key order first, so ListMultipartUploads is one ordered scan. */
export function uploadSortKey(key: string, uploadId: string): string {
  return `${key}\0${uploadId}`;
}

/** The part sort key: zero-padded so that byte order is number order. */
export function partSortKey(partNumber: number): string {
  return String(partNumber).padStart(5, '0');
}

/** What Complete assembles: the parts in order, and the uploaded parts it leaves out. */
export interface CompletionPlan {
  parts: PartRecord[];
  unused: PartRecord[];
  size: number;
}

/**
 * The parts a Complete request names, one per part number: the numbers must not go down
 * (InvalidPartOrder); a number named twice in a row counts once, with its last ETag, as a
 * client that re-sent a part and listed each answer names it (the later upload of a part
 * number is the one stored).
 */
export function distinctRequestedParts(requested: readonly RequestedPart[]): RequestedPart[] {
  const parts: RequestedPart[] = [];
  for (const want of requested) {
    const previous = parts.at(-1);
    if (previous && want.partNumber < previous.partNumber) {
      throw new MultipartError('InvalidPartOrder', 'The list of parts was not in ascending order.');
    }
    if (previous?.partNumber === want.partNumber) parts[parts.length - 1] = want;
    else parts.push(want);
  }
  return parts;
}

/**
 * Checks a Complete request against the uploaded parts: part numbers that never go down
 * (InvalidPartOrder), each part uploaded with the named ETag and checksums (InvalidPart),
 * every part but the last at least `partBytesMin` (EntityTooSmall).
 */
export function planCompletion(
  requested: readonly RequestedPart[],
  uploaded: ReadonlyMap<number, PartRecord>,
  partBytesMin: number,
): CompletionPlan {
  if (requested.length === 0) {
    throw new MultipartError('MalformedXML', 'You must specify at least one part.');
  }
  const parts: PartRecord[] = [];
  for (const want of distinctRequestedParts(requested)) {
    const part = uploaded.get(want.partNumber);
    if (!part || part.etag !== want.etag || !checksumsAgree(part, want)) {
      throw new MultipartError('InvalidPart', `Part ${want.partNumber} could not be found.`);
    }
    parts.push(part);
  }
  // Sizes are checked once every part is known to exist, so a missing part is InvalidPart.
  const small = parts.slice(0, -1).find((part) => part.size < partBytesMin);
  if (small) {
    throw new MultipartError(
      'EntityTooSmall',
      `Part ${small.partNumber} is smaller than the minimum allowed size (${partBytesMin} bytes).`,
    );
  }
  const named = new Set(parts.map((part) => part.partNumber));
  const unused = [...uploaded.values()].filter((part) => !named.has(part.partNumber));
  return { parts, unused, size: parts.reduce((sum, part) => sum + part.size, 0) };
}

/**
 * Whether a Complete request names exactly the parts `manifest` was completed from (same
 * numbers and ETags), so that a retry of that Complete gets its answer again.
 */
export function completedWith(manifest: Manifest, requested: readonly RequestedPart[]): boolean {
  const parts = manifest.parts;
  if (!parts || requested.length === 0) return false;
  let wanted: RequestedPart[];
  try {
    wanted = distinctRequestedParts(requested);
  } catch {
    return false;
  }
  return (
    wanted.length === parts.length &&
    wanted.every((want, i) => {
      const part = parts[i]!;
      return part.partNumber === want.partNumber && part.etag === want.etag;
    })
  );
}

/** A checksum the client names must match the one stored; one not stored is not checked. */
function checksumsAgree(part: PartRecord, want: RequestedPart): boolean {
  return Object.entries(want.checksums).every(([algorithm, value]) => {
    const stored = part.checksums?.[algorithm];
    return stored === undefined || stored === value;
  });
}

/** The multipart ETag: hex MD5 of the concatenated binary part MD5s, then "-N". */
export function multipartEtag(partEtags: readonly string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(Buffer.from(etag, 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}

/**
 * The composite checksum: base64 of the algorithm over the concatenated raw part
 * checksums, then "-N"; undefined if a part lacks the checksum.
 */
export function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  parts: ReadonlyArray<Pick<ManifestPart, 'checksums'>>,
): string | undefined {
  const name = algorithm.toLowerCase();
  const checksum = createChecksum(algorithm);
  for (const part of parts) {
    const value = part.checksums?.[name];
    if (value === undefined) return undefined;
    checksum.update(Buffer.from(value, 'base64'));
  }
  return `${checksum.digestBase64()}-${parts.length}`;
}

/**
 * The full-object checksum of a CRC: the CRC of every byte of the parts in order, combined
 * from the parts' CRCs and sizes (no "-N"); undefined if a part lacks the checksum.
 */
export function fullObjectChecksum(
  algorithm: ChecksumAlgorithm,
  parts: ReadonlyArray<Pick<ManifestPart, 'checksums' | 'size'>>,
): string | undefined {
  if (!isCombinableCrc(algorithm)) return undefined;
  const name = algorithm.toLowerCase();
  const crcs = [];
  for (const part of parts) {
    const value = part.checksums?.[name];
    if (value === undefined) return undefined;
    crcs.push({ crc: Buffer.from(value, 'base64'), size: part.size });
  }
  return combineCrcs(algorithm, crcs).toString('base64');
}

/** The object checksum of an upload of `algorithm` and `type` made of `parts`. */
export function objectChecksum(
  algorithm: ChecksumAlgorithm,
  type: ChecksumType,
  parts: ReadonlyArray<Pick<ManifestPart, 'checksums' | 'size'>>,
): string | undefined {
  return type === 'FULL_OBJECT'
    ? fullObjectChecksum(algorithm, parts)
    : compositeChecksum(algorithm, parts);
}

/**
 * The checksum type of an upload from CreateMultipartUpload's headers: CRC64NVME is
 * FULL_OBJECT only, SHA-1 and SHA-256 COMPOSITE only, CRC32 and CRC32C either (COMPOSITE
 * unless asked). Returns undefined for a combination S3 refuses.
 */
export function uploadChecksumType(
  algorithm: ChecksumAlgorithm,
  requested: string | undefined,
): ChecksumType | undefined {
  const type = requested?.toUpperCase();
  if (type === undefined) return algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
  if (type === 'COMPOSITE') return algorithm === 'CRC64NVME' ? undefined : 'COMPOSITE';
  if (type === 'FULL_OBJECT') return isCombinableCrc(algorithm) ? 'FULL_OBJECT' : undefined;
  return undefined;
}

/** The object checksum a CompleteMultipartUpload request claims (x-amz-checksum-*). */
export interface ClaimedChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
}

/**
 * Checks the checksum a Complete request claims against the object's, computed from the
 * parts (`computed`, of the upload's `algorithm`): InvalidRequest when it names another
 * algorithm, BadDigest when it differs. A composite may be claimed with its "-N" or without.
 */
export function checkClaimedChecksum(
  claimed: ClaimedChecksum | undefined,
  algorithm: ChecksumAlgorithm | undefined,
  computed: string | undefined,
): void {
  if (!claimed) return;
  if (claimed.algorithm !== algorithm) {
    throw new MultipartError(
      'InvalidRequest',
      `The upload was created with ${algorithm ?? 'no'} checksum algorithm, ` +
        `but the complete request carries a ${claimed.algorithm} checksum.`,
    );
  }
  const bare = computed?.replace(/-\d+$/, '');
  if (computed === undefined || (claimed.value !== computed && claimed.value !== bare)) {
    throw new MultipartError(
      'BadDigest',
      `The ${claimed.algorithm} you specified did not match the calculated checksum.`,
    );
  }
}

/** Encodes a multipart record for the ring. */
export function encodeRecord(record: UploadRecord | PartRecord): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** Decodes and checks an upload record; throws on a corrupt one. */
export function decodeUpload(value: Buffer): UploadRecord {
  const record = JSON.parse(value.toString('utf8')) as UploadRecord;
  if (record.format !== 1 || typeof record.uploadId !== 'string') {
    throw new Error('corrupt upload record');
  }
  return record;
}

/** Decodes and checks a part record; throws on a corrupt one. */
export function decodePart(value: Buffer): PartRecord {
  const record = JSON.parse(value.toString('utf8')) as PartRecord;
  if (!Number.isInteger(record.partNumber) || typeof record.versionId !== 'string') {
    throw new Error('corrupt part record');
  }
  return record;
}
