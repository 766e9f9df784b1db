/**
 * The maths of multipart ETags: S3 gives a multipart object the MD5 of its parts' MD5s
 * followed by "-N", so the same bytes keep the same ETag only when cut at the same part
 * boundaries. Where the source cannot say where its parts began (no ?partNumber), the
 * likely uniform part sizes are tried: every common client cuts equal parts but the last.
 * Pure.
 */
import { createHash, type Hash } from 'node:crypto';

/** S3's most parts per upload. */
export const PARTS_MAX = 10_000;

/** N of an "md5-N" ETag; undefined for any other ETag. */
export function multipartCount(etag: string): number | undefined {
  const match = /^[0-9a-fA-F]{32}-(\d{1,5})$/.exec(etag);
  const count = match ? Number(match[1]) : NaN;
  return count >= 1 && count <= PARTS_MAX ? count : undefined;
}

/** Whether an ETag is a plain MD5 (a single PUT's). */
export function isMd5Etag(etag: string): boolean {
  return /^[0-9a-fA-F]{32}$/.test(etag);
}

/** The ETag S3 gives an upload of parts with these MD5s. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(md5);
  return `${hash.digest('hex')}-${partMd5s.length}`;
}

/** Sizes of `total` bytes cut into parts of `partSize` (the last one shorter). */
export function uniformParts(total: number, partSize: number): number[] {
  const sizes: number[] = [];
  for (let at = 0; at < total; at += partSize) sizes.push(Math.min(partSize, total - at));
  return sizes.length > 0 ? sizes : [0];
}

const MIB = 1024 * 1024;
const MB = 1_000_000;
// Defaults of the clients Riak CS users run: aws CLI and boto3 8 MiB, rclone and the S3
// minimum 5 MiB, s3cmd 15 MiB, then other round sizes people configure.
const PREFERRED = [8, 5, 15, 16, 10, 64, 32, 100, 50, 25, 20, 128, 256, 512].map((m) => m * MIB);

/**
 * Part sizes P that cut `total` bytes into exactly `parts` parts of P (the last shorter or
 * equal), most likely first, at most `max`: the clients' defaults, an even split, then any
 * other whole MiB or MB.
 */
export function candidatePartSizes(total: number, parts: number, max = 8): number[] {
  if (parts === 1) return [Math.max(total, 1)];
  const low = Math.ceil(total / parts);
  const high = Math.floor((total - 1) / (parts - 1));
  if (low > high) return [];
  const fits = (size: number) => size >= low && size <= high;
  const found = new Set<number>(PREFERRED.filter(fits));
  found.add(low);
  for (const unit of [MIB, MB]) {
    for (let size = Math.ceil(low / unit) * unit; size <= high && found.size < max * 4;) {
      found.add(size);
      size += unit;
    }
  }
  return [...found].slice(0, max);
}

/** Hashes a stream cut into parts of the given sizes; the ETag once every byte is in. */
export class PartHasher {
  private readonly digests: Buffer[] = [];
  private part = 0;
  private left: number;
  private hash: Hash = createHash('md5');

  constructor(private readonly sizes: readonly number[]) {
    this.left = sizes[0] ?? 0;
  }

  /** Feeds the next bytes. */
  update(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.part >= this.sizes.length) {
        this.part++;
        return;
      }
      const take = Math.min(this.left, chunk.length - at);
      this.hash.update(chunk.subarray(at, at + take));
      at += take;
      this.left -= take;
      if (this.left === 0) this.nextPart();
    }
  }

  private nextPart(): void {
    this.digests.push(this.hash.digest());
    this.part++;
    this.hash = createHash('md5');
    this.left = this.sizes[this.part] ?? 0;
  }

  /** The multipart ETag, or undefined when the bytes did not fill the parts exactly. */
  etag(): string | undefined {
    if (this.sizes.length === 1 && this.sizes[0] === 0 && this.digests.length === 0) {
      this.nextPart();
    }
    if (this.digests.length !== this.sizes.length || this.part !== this.sizes.length) {
      return undefined;
    }
    return multipartEtag(this.digests);
  }
}
