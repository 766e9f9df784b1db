/**
 * A multipart object's part list cut into chunks, so that a GET reads only the chunk that
 * holds the bytes it wants. Each chunk is an immutable record (manifest-parts keyspace,
 * partition key chunkKey(version id, n)) written before the head manifest; the head keeps a
 * PartIndex: the part count, parts per chunk and each chunk's bytes, enough to find the
 * chunk covering a byte offset or a part number without reading any other. Pure: no I/O.
 */
import type { ManifestPart, PartIndex } from './manifest.js';

export type { PartIndex };

/**
 * Parts per chunk record. A list of at most this many stays in the head manifest as
 * before (one record, readable by older releases); a longer one is chunked.
 */
export const PARTS_PER_CHUNK = 1000;

/** Digits of a chunk number in its key, so that a version's chunks sort in order. */
const CHUNK_DIGITS = 6;

/**
 * The partition key of chunk `n` of version `versionId`: shaped like a block key (version
 * id, colon, number), so the orphan sweeper finds the version id the same way.
 */
export function chunkKey(versionId: string, n: number): string {
  return `${versionId}:${String(n).padStart(CHUNK_DIGITS, '0')}`;
}

/** Cuts `parts` into chunks of `perChunk` and indexes them. */
export function chunkParts(
  parts: readonly ManifestPart[],
  perChunk = PARTS_PER_CHUNK,
): { index: PartIndex; chunks: ManifestPart[][] } {
  if (!Number.isInteger(perChunk) || perChunk < 1) throw new RangeError('bad perChunk');
  const chunks: ManifestPart[][] = [];
  for (let at = 0; at < parts.length; at += perChunk) chunks.push(parts.slice(at, at + perChunk));
  const chunkBytes = chunks.map((chunk) => chunk.reduce((sum, part) => sum + part.size, 0));
  return { index: { count: parts.length, perChunk, chunkBytes }, chunks };
}

/** Encodes one chunk for the ring (JSON: a list of parts). */
export function encodePartChunk(parts: readonly ManifestPart[]): Buffer {
  return Buffer.from(JSON.stringify(parts), 'utf8');
}

/** Decodes chunk `n` of `index`; throws on a corrupt record or one of the wrong length. */
export function decodePartChunk(value: Buffer, index: PartIndex, n: number): ManifestPart[] {
  const parts = JSON.parse(value.toString('utf8')) as unknown;
  if (!Array.isArray(parts) || parts.length !== chunkLength(index, n)) {
    throw new Error('corrupt part chunk record');
  }
  return parts as ManifestPart[];
}

/** Number of chunks of `index`. */
export function chunkCount(index: PartIndex): number {
  return index.chunkBytes.length;
}

/** Parts in chunk `n`. */
export function chunkLength(index: PartIndex, n: number): number {
  return Math.max(0, Math.min(index.perChunk, index.count - n * index.perChunk));
}

/** The object offset of each chunk's first byte. */
export function chunkOffsets(index: PartIndex): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const bytes of index.chunkBytes) {
    offsets.push(offset);
    offset += bytes;
  }
  return offsets;
}

/**
 * The chunk holding byte `offset`: the last chunk starting at or before it (earlier chunks
 * starting at the same offset hold only empty parts). 0 for an offset past the end.
 */
export function chunkAtOffset(index: PartIndex, offset: number): number {
  const offsets = chunkOffsets(index);
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (offsets[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Where the part at position `i` (0-based, in object order) is: its chunk and slot. */
export function chunkOfPart(index: PartIndex, i: number): { chunk: number; slot: number } {
  return { chunk: Math.floor(i / index.perChunk), slot: i % index.perChunk };
}
