/**
 * GET and HEAD with ?partNumber=N: the bytes of one part of a multipart object, as S3
 * serves them (206 with Content-Range, the part count in x-amz-mp-parts-count). N counts
 * the completed object's parts in order; an object from one PUT has exactly one part.
 */
import type { Manifest } from '../objects/manifest.js';
import { S3Error } from './errors.js';
import type { ByteRange } from './range.js';
import { checkPartNumber } from './request-xml.js';

/** The part a request selects: its bytes (none for an empty one) and checksums. */
export interface SelectedPart {
  range?: ByteRange;
  checksums: Record<string, string>;
}

/** Selects part `raw` of `manifest`; InvalidPartNumber past the last part. */
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
  if (!part)
    throw new S3Error('InvalidPartNumber', undefined, {
      fields: { PartNumberRequested: raw, ActualPartCount: String(parts.length) },
    });
  let start = 0;
  for (let i = 0; i < partNumber - 1; i++) start += parts[i]!.size;
  const checksums = part.checksums ?? {};
  if (part.size === 0) return { checksums };
  return { range: { start, end: start + part.size - 1 }, checksums };
}
