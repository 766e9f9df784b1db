/**
 * GET and HEAD with ?partNumber=N: the bytes of one part of a multipart object, as S3
 * serves them (206 with Content-Range, the part count in x-amz-mp-parts-count). N counts
 * the completed object's parts in order; an object from one PUT has exactly one part.
 */
import { checksumTypeOf, type Manifest, type ManifestPart } from '../objects/manifest.js';
import { partAt, type PartChunkReader } from '../objects/manifest-parts.js';
import { S3Error } from '../http/errors.js';
import type { ByteRange } from './range.js';
import { checkPartNumber } from './request-xml.js';

/** The part a request selects: its bytes (none for an empty one) and checksums. */
export interface SelectedPart {
  range?: ByteRange;
  checksums: Record<string, string>;
  /**
   * The part itself, when it came from a chunk record: its bytes are read from its blocks
   * directly (ObjectStore.readPart), without reading the part list again.
   */
  blocks?: Pick<ManifestPart, 'versionId' | 'blockSize' | 'partNumber'>;
}

/** Selects part `raw` of `manifest`, whose parts (if any) it holds; InvalidPart past the last. */
export function selectPart(
  manifest: Manifest,
  raw: string,
  rangeHeader: string | undefined,
): SelectedPart {
  const partNumber = requestedPartNumber(raw, rangeHeader);
  const parts = manifest.parts ?? [{ size: manifest.size, checksums: manifest.checksums }];
  let offset = 0;
  for (let i = 0; i < Math.min(partNumber - 1, parts.length); i++) offset += parts[i]!.size;
  const part = parts[partNumber - 1];
  return selectedPart(part && { part, offset }, raw, partNumber, parts.length);
}

/**
 * selectPart for any manifest: a chunked part list (partIndex) costs one chunk read, through
 * `read`, whatever the part number.
 */
export async function selectPartOf(
  manifest: Manifest,
  raw: string,
  rangeHeader: string | undefined,
  read: PartChunkReader,
): Promise<SelectedPart> {
  if (!manifest.partIndex) return selectPart(manifest, raw, rangeHeader);
  const partNumber = requestedPartNumber(raw, rangeHeader);
  const placed = await partAt(manifest, read, partNumber - 1);
  const selected = selectedPart(placed, raw, partNumber, manifest.partIndex.count);
  // An empty part has no range: the caller answers it as before, from the manifest.
  if (!selected.range) return selected;
  const { versionId, blockSize } = placed!.part;
  return { ...selected, blocks: { versionId, blockSize, partNumber: placed!.part.partNumber } };
}

/** The part number a request names, checked. */
function requestedPartNumber(raw: string, rangeHeader: string | undefined): number {
  if (rangeHeader !== undefined) {
    throw new S3Error(
      'InvalidRequest',
      'Cannot specify both Range header and partNumber query parameter',
    );
  }
  if (!/^\d{1,9}$/.test(raw)) checkPartNumber(NaN);
  const partNumber = Number(raw);
  checkPartNumber(partNumber);
  return partNumber;
}

type PartSizes = Pick<ManifestPart, 'size' | 'checksums'>;

/** The answer for part `raw`, found at `placed` (undefined: past the last of `count`). */
function selectedPart(
  placed: { part: PartSizes; offset: number } | undefined,
  raw: string,
  partNumber: number,
  count: number,
): SelectedPart {
  // A part past the last is 400 InvalidPart, as ceph/s3-tests expects (Ceph RGW answers
  // so); Amazon S3 itself has answered 416 InvalidPartNumber. Both are client errors no SDK
  // retries; the suite is the oracle we are measured by.
  if (!placed) {
    throw new S3Error(
      'InvalidPart',
      `Part ${partNumber} does not exist: the object has ${count} part(s).`,
      { fields: { PartNumberRequested: raw, ActualPartCount: String(count) } },
    );
  }
  const { part, offset: start } = placed;
  const checksums = part.checksums ?? {};
  if (part.size === 0) return { checksums };
  return { range: { start, end: start + part.size - 1 }, checksums };
}

/**
 * The checksum headers of a part served with x-amz-checksum-mode: ENABLED: the part's own
 * checksums, with the object's checksum type (a single-PUT object's one part is the whole).
 */
export function partChecksumHeaders(
  manifest: Manifest,
  part: SelectedPart,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(part.checksums)) out[`x-amz-checksum-${alg}`] = value;
  if (Object.keys(out).length > 0) out['x-amz-checksum-type'] = checksumTypeOf(manifest);
  return out;
}
