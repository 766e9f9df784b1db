/**
 * A Bloom filter of strings: the orphan sweeper's set of live version ids. A false positive
 * only leaves an orphan for a later pass; a false negative cannot happen, so a live block is
 * never taken for an orphan. Hashes are derived from one SHA-1 by double hashing.
 */
import { createHash } from 'node:crypto';

/** A fixed-size Bloom filter. */
export class BloomFilter {
  private readonly bits: Uint8Array;
  private readonly bitCount: number;
  private readonly hashCount: number;
  private added = 0;

  /** A filter for about `expectedItems` at a false-positive rate near `falsePositiveRate`. */
  constructor(expectedItems: number, falsePositiveRate = 0.01) {
    const n = Math.max(1, expectedItems);
    this.bitCount = Math.max(64, Math.ceil((-n * Math.log(falsePositiveRate)) / Math.LN2 ** 2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / n) * Math.LN2));
    this.bits = new Uint8Array(Math.ceil(this.bitCount / 8));
  }

  /** Adds `item`. */
  add(item: string): void {
    for (const bit of this.positions(item)) this.bits[bit >> 3]! |= 1 << (bit & 7);
    this.added++;
  }

  /** False when `item` was certainly never added. */
  has(item: string): boolean {
    for (const bit of this.positions(item)) {
      if ((this.bits[bit >> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  /** How many items were added. */
  get size(): number {
    return this.added;
  }

  /** The filter's bits, to publish it (a node's share of a split mark). */
  get bytes(): Uint8Array {
    return this.bits;
  }

  /** Adds every item another filter of the same size (its `bytes`) holds. */
  merge(bits: Uint8Array): void {
    if (bits.length !== this.bits.length) throw new RangeError('Bloom filters differ in size');
    for (let i = 0; i < bits.length; i++) this.bits[i]! |= bits[i]!;
  }

  private *positions(item: string): Generator<number> {
    const digest = createHash('sha1').update(item).digest();
    const h1 = digest.readUInt32BE(0);
    // Odd, and kept unsigned: `| 1` alone makes a value at or above 2^31 negative.
    const h2 = (digest.readUInt32BE(4) | 1) >>> 0;
    for (let i = 0; i < this.hashCount; i++) yield (h1 + i * h2) % this.bitCount;
  }
}
