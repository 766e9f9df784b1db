/**
 * GET and HEAD with ?partNumber=N: the bytes of one part of a multipart object, as S3
 * serves them (206 with Content-Range, the part count in x-amz-mp-parts-count). N counts
 * the completed object's parts in order; an object from one PUT has exactly one part.
 */
import { checksumTypeOf, type Manifest } from '../objects/manifest.js';
import { S3Error } from '../http/errors.js';
import type { ByteRange } from './range.js';
import { checkPartNumber } from './request-xml.js';

/** The part a request selects: its bytes (none for an empty one) and checksums. */
export interface SelectedPart {
  range?: ByteRange;
  checksums: Record<string, string>;
}

/** Selects part `raw` of `manifest`; InvalidPart past the last part. */
export function selectPart(
  manifest: Manifest,
  raw: string,
  rangeHeader: string | undefined,
): SelectedPart {
  if (rangeHeader !== undefined) {
    throw new S3Error(
      'InvalidRequest',
      'Cannot specify both Range header and partNumber query parameter',
    );
  }
  if (!/^\d{1,9}$/.test(raw)) checkPartNumber(NaN);
  const partNumber = Number(raw);
  checkPartNumber(partNumber);
  const parts = manifest.parts ?? [{ size: manifest.size, checksums: manifest.checksums }];
  const part = parts[partNumber - 1];
  // A part past the last is 400 InvalidPart, as ceph/s3-tests expects (Ceph RGW answers
  // so); Amazon S3 itself has answered 416 InvalidPartNumber. Both are client errors no SDK
  // retries; the suite is the oracle we are measured by.
  if (!part) {
    throw new S3Error(
      'InvalidPart',
      `Part ${partNumber} does not exist: the object has ${parts.length} part(s).`,
      { fields: { PartNumberRequested: raw, ActualPartCount: String(parts.length) } },
    );
  }
  let start = 0;
  for (let i = 0; i < partNumber - 1; i++) start += parts[i]!.size;
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
