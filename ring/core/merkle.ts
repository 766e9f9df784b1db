/**
 * The maths of active anti-entropy, with no storage: each partition's items fall into a
 * fixed number of segments; a segment's hash is the XOR of its items' hashes, so a write
 * updates it in O(1) (XOR out the old version, XOR in the new) in the same batch as the
 * data; a small tree over the segments lets two replicas see in one comparison whether
 * they agree, and which segments to repair when they do not.
 */
import { createHash } from 'node:crypto';

/** Segments per partition: the granularity of repair. */
export const SEGMENT_COUNT = 1024;
/** Bytes of every hash here. */
export const HASH_BYTES = 16;
/** Children per inner node of the tree. */
export const TREE_FANOUT = 32;

/** The all-zero hash: an empty segment. */
export function emptyHash(): Buffer {
  return Buffer.alloc(HASH_BYTES);
}

/** The hash of one item version: its key and a digest of its version (never its bytes). */
export function itemHash(key: Buffer, versionDigest: string): Buffer {
  return createHash('sha256')
    .update(key)
    .update('\0')
    .update(versionDigest)
    .digest()
    .subarray(0, HASH_BYTES);
}

/** The segment an item key falls in. */
export function segmentOf(key: Buffer): number {
  const digest = createHash('sha1').update(key).digest();
  return digest.readUInt16BE(0) % SEGMENT_COUNT;
}

/** a XOR b, as a new buffer. */
export function xorHashes(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** A segment's hash after an item changes from `before` to `after` (either may be absent). */
export function updateSegment(segment: Buffer, before?: Buffer, after?: Buffer): Buffer {
  let next = segment;
  if (before) next = xorHashes(next, before);
  if (after) next = xorHashes(next, after);
  return next;
}

/** The tree over segment hashes, leaves first, root last (a level of one hash). */
export function treeLevels(segments: readonly Buffer[]): Buffer[][] {
  if (segments.length !== SEGMENT_COUNT) throw new RangeError('wrong number of segments');
  const levels: Buffer[][] = [segments.map((s) => Buffer.from(s))];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    const above: Buffer[] = [];
    for (let i = 0; i < below.length; i += TREE_FANOUT) {
      const hash = createHash('sha256');
      for (const child of below.slice(i, i + TREE_FANOUT)) hash.update(child);
      above.push(hash.digest().subarray(0, HASH_BYTES));
    }
    levels.push(above);
  }
  return levels;
}

/** The root hash: equal roots mean (with overwhelming probability) equal partitions. */
export function rootHash(segments: readonly Buffer[]): Buffer {
  return treeLevels(segments).at(-1)![0]!;
}

/**
 * The segments in which two trees differ, found by descending only into differing
 * subtrees. Both are levels as treeLevels returns them.
 */
export function differingSegments(a: Buffer[][], b: Buffer[][]): number[] {
  if (a.length !== b.length) throw new RangeError('trees of different shapes');
  let candidates = [0];
  for (let level = a.length - 1; level >= 0; level--) {
    const differing = candidates.filter((i) => !a[level]![i]!.equals(b[level]![i]!));
    if (level === 0) return differing;
    candidates = differing.flatMap((i) =>
      Array.from({ length: TREE_FANOUT }, (_, c) => i * TREE_FANOUT + c).filter(
        (child) => child < a[level - 1]!.length,
      ),
    );
  }
  return [];
}
