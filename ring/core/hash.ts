/**
 * Places items on the ring. SHA-1 of (keyspace, partition key) gives a 160-bit index; the
 * ring is cut into equal partitions, so the partition is the index's top bits. This must
 * never change for a running cluster: every stored item's home depends on it.
 */
import { createHash } from 'node:crypto';

/** The size of the hash space: 2^160. */
export const RING_TOP = 1n << 160n;

/** A partition key or sort key: UTF-8 text or raw bytes. */
export type KeyPart = string | Uint8Array;

/** Bytes of a key part, UTF-8 for strings. */
export function keyBytes(part: KeyPart): Buffer {
  return typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part);
}

/**
 * The 160-bit ring index of (keyspace, partitionKey). Each part is length-prefixed so that
 * ('ab','c') and ('a','bc') never collide.
 */
export function ringIndex(keyspace: string, partitionKey: KeyPart): bigint {
  const ks = keyBytes(keyspace);
  const pk = keyBytes(partitionKey);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(ks.length, 0);
  header.writeUInt32BE(pk.length, 4);
  const digest = createHash('sha1').update(header).update(ks).update(pk).digest('hex');
  return BigInt('0x' + digest);
}

/** The partition (0..partitionCount-1) that holds a ring index. */
export function partitionOf(index: bigint, partitionCount: number): number {
  assertPartitionCount(partitionCount);
  return Number((index * BigInt(partitionCount)) / RING_TOP);
}

/** Throws unless `count` is a power of two from 8 to 1024 (ring_creation_size). */
export function assertPartitionCount(count: number): void {
  const ok = Number.isInteger(count) && count >= 8 && count <= 1024 && (count & (count - 1)) === 0;
  if (!ok)
    throw new RangeError(`ring_creation_size must be a power of two from 8 to 1024: ${count}`);
}
