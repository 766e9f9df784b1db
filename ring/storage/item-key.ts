/**
 * The on-disk key of an item: partition, keyspace, partition key, then the raw sort key.
 * Items that share (keyspace, partition key) are contiguous and ordered by sort key bytes,
 * so a range read over one partition key is one ordered scan; the partition comes first so
 * that handoff and anti-entropy can walk one partition.
 */

/** Largest partition key, in bytes. */
export const PARTITION_KEY_BYTES_MAX = 0xffff;

/** The prefix every item of (partition, keyspace, partitionKey) shares. */
export function itemPrefix(partition: number, keyspace: string, partitionKey: Buffer): Buffer {
  if (partitionKey.length > PARTITION_KEY_BYTES_MAX) throw new RangeError('partition key too long');
  const pkLength = Buffer.alloc(2);
  pkLength.writeUInt16BE(partitionKey.length, 0);
  return Buffer.concat([keyspacePrefix(partition, keyspace), pkLength, partitionKey]);
}

/** The prefix every item of (partition, keyspace) shares. */
export function keyspacePrefix(partition: number, keyspace: string): Buffer {
  const ks = Buffer.from(keyspace, 'utf8');
  if (ks.length > 0xff) throw new RangeError(`keyspace name too long: ${keyspace}`);
  const head = Buffer.alloc(3);
  head.writeUInt16BE(partition, 0);
  head.writeUInt8(ks.length, 2);
  return Buffer.concat([head, ks]);
}

/** The full key of one item. */
export function itemKey(partition: number, keyspace: string, pk: Buffer, sk: Buffer): Buffer {
  return Buffer.concat([itemPrefix(partition, keyspace, pk), sk]);
}

/** The smallest key greater than every key starting with `prefix`, or undefined if none. */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** The keyspace of a full item key. */
export function keyspaceOfKey(key: Buffer): string {
  return parseItemKey(key).keyspace;
}

/** The parts of a full item key (the inverse of itemKey). */
export function parseItemKey(key: Buffer) {
  const ksLength = key.readUInt8(2);
  const keyspace = key.subarray(3, 3 + ksLength).toString('utf8');
  const pkLength = key.readUInt16BE(3 + ksLength);
  const pkStart = 5 + ksLength;
  return {
    partition: key.readUInt16BE(0),
    keyspace,
    pk: key.subarray(pkStart, pkStart + pkLength),
    sk: key.subarray(pkStart + pkLength),
  };
}
