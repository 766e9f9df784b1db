/**
 * A multipart object's part list, whether its head manifest holds it (`parts`, as every
 * manifest did before part chunks) or points at chunk records (`partIndex`): readers load
 * only the chunks they need, through a PartChunkReader.
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { Manifest, ManifestPart, PartIndex } from './manifest.js';
import {
  chunkAtOffset,
  chunkCount,
  chunkKey,
  chunkOffsets,
  chunkOfPart,
  chunkParts,
  decodePartChunk,
  encodePartChunk,
} from './part-chunks.js';

/** Reads chunk `n` of version `versionId`'s part list (indexed by `index`). */
export type PartChunkReader = (
  versionId: string,
  index: PartIndex,
  n: number,
) => Promise<ManifestPart[]>;

/** A part and the object offset of its first byte. */
export interface PlacedPart {
  part: ManifestPart;
  offset: number;
}

/** A PartChunkReader over the ring; `onRead` is told of each chunk read (a metric). */
export function ringChunkReader(
  ring: Pick<RingClient, 'get'>,
  onRead?: () => void,
): PartChunkReader {
  return async (versionId, index, n) => {
    onRead?.();
    const value = await ring.get(KEYSPACES.manifestParts, chunkKey(versionId, n));
    if (!value) throw new Error(`part chunk ${n} of ${versionId} missing`);
    return decodePartChunk(value, index, n);
  };
}

/**
 * Writes `parts` as chunk records of version `versionId`, `inFlightMax` at a time, and
 * returns their index for the head manifest, which must be written only after this returns.
 */
export async function writePartChunks(
  ring: Pick<RingClient, 'put'>,
  versionId: string,
  parts: readonly ManifestPart[],
  options: { perChunk?: number; inFlightMax: number },
): Promise<PartIndex> {
  const { index, chunks } = chunkParts(parts, options.perChunk);
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < chunks.length; n = next++) {
      await ring.put(
        KEYSPACES.manifestParts,
        chunkKey(versionId, n),
        '',
        encodePartChunk(chunks[n]!),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.inFlightMax) }, worker));
  return index;
}

/**
 * The parts of `manifest` in order with their offsets, from the chunk that holds byte
 * `offset` on (earlier parts may come too: callers skip what ends before it). Loads one
 * chunk at a time, when the one before is used up.
 */
export async function* partsFromOffset(
  manifest: Manifest,
  read: PartChunkReader,
  offset: number,
): AsyncGenerator<PlacedPart> {
  const index = manifest.partIndex;
  if (!index) {
    let at = 0;
    for (const part of manifest.parts ?? []) {
      yield { part, offset: at };
      at += part.size;
    }
    return;
  }
  const offsets = chunkOffsets(index);
  for (let n = chunkAtOffset(index, offset); n < chunkCount(index); n++) {
    let at = offsets[n]!;
    for (const part of await read(manifest.versionId, index, n)) {
      yield { part, offset: at };
      at += part.size;
    }
  }
}

/** The part at position `i` (0-based) of `manifest` and its offset: one chunk read at most. */
export async function partAt(
  manifest: Manifest,
  read: PartChunkReader,
  i: number,
): Promise<PlacedPart | undefined> {
  const index = manifest.partIndex;
  if (!index) {
    const parts = manifest.parts ?? [];
    if (i < 0 || i >= parts.length) return undefined;
    let offset = 0;
    for (let j = 0; j < i; j++) offset += parts[j]!.size;
    return { part: parts[i]!, offset };
  }
  if (i < 0 || i >= index.count) return undefined;
  const { chunk, slot } = chunkOfPart(index, i);
  const parts = await read(manifest.versionId, index, chunk);
  let offset = chunkOffsets(index)[chunk]!;
  for (let j = 0; j < slot; j++) offset += parts[j]!.size;
  return { part: parts[slot]!, offset };
}

/** Every part of `manifest` (reads every chunk): for GC, the sweeper and rare requests. */
export async function allParts(
  manifest: Manifest,
  read: PartChunkReader,
): Promise<ManifestPart[] | undefined> {
  const index = manifest.partIndex;
  if (!index) return manifest.parts;
  const parts: ManifestPart[] = [];
  for (let n = 0; n < chunkCount(index); n++) {
    parts.push(...(await read(manifest.versionId, index, n)));
  }
  return parts;
}
