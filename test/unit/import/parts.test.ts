/**
 * Multipart ETag maths: the ETag of parts, the uniform part sizes that could have made an
 * object, and the hasher that checks a cut in one read, against a direct computation.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  candidatePartSizes,
  isMd5Etag,
  multipartCount,
  multipartEtag,
  PartHasher,
  uniformParts,
} from '../../../src/import/core/parts.js';

const MIB = 1024 * 1024;
const md5 = (data: Buffer) => createHash('md5').update(data).digest();

function etagOfCut(data: Buffer, sizes: number[]): string {
  let at = 0;
  return multipartEtag(sizes.map((size) => md5(data.subarray(at, (at += size)))));
}

describe('multipart ETags', () => {
  it('reads N from md5-N ETags only', () => {
    const hex = 'd41d8cd98f00b204e9800998ecf8427e';
    expect(multipartCount(`${hex}-7`)).toBe(7);
    expect(multipartCount(`${hex}-10000`)).toBe(10000);
    expect(multipartCount(`${hex}-0`)).toBeUndefined();
    expect(multipartCount(`${hex}-10001`)).toBeUndefined();
    expect(multipartCount(hex)).toBeUndefined();
    expect(multipartCount(`${hex.slice(1)}-2`)).toBeUndefined();
    expect(isMd5Etag(hex)).toBe(true);
    expect(isMd5Etag(`${hex}-2`)).toBe(false);
  });

  it('gives the ETag S3 gives: the MD5 of the parts MD5s, then -N', () => {
    // The part MD5s of "a" and "b", concatenated and hashed (computed by hand once).
    const etag = multipartEtag([md5(Buffer.from('a')), md5(Buffer.from('b'))]);
    const expected = createHash('md5')
      .update(Buffer.concat([md5(Buffer.from('a')), md5(Buffer.from('b'))]))
      .digest('hex');
    expect(etag).toBe(`${expected}-2`);
  });

  it('cuts uniformly, the last part shorter', () => {
    expect(uniformParts(10, 4)).toEqual([4, 4, 2]);
    expect(uniformParts(8, 4)).toEqual([4, 4]);
    expect(uniformParts(0, 4)).toEqual([0]);
  });

  it('proposes only part sizes that make exactly N parts, the clients defaults first', () => {
    const size = 50 * MIB;
    expect(candidatePartSizes(size, 7)[0]).toBe(8 * MIB);
    expect(candidatePartSizes(size, 10)[0]).toBe(5 * MIB);
    expect(candidatePartSizes(15 * MIB + 3, 2)).toContain(15 * MIB);
    expect(candidatePartSizes(10, 20)).toEqual([]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        (total, parts) => {
          const sizes = candidatePartSizes(total, parts);
          expect(sizes.length).toBeLessThanOrEqual(8);
          for (const size of sizes) expect(uniformParts(total, size).length).toBe(parts);
        },
      ),
    );
  });

  it('hashes a cut in one read exactly as cutting the bytes does, however they arrive', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (bytes, partSize, chunking) => {
          const data = Buffer.from(bytes);
          const sizes = uniformParts(data.length, partSize);
          const hasher = new PartHasher(sizes);
          for (let at = 0, i = 0; at < data.length; i++) {
            const next = at + chunking[i % chunking.length]!;
            hasher.update(data.subarray(at, next));
            at = next;
          }
          expect(hasher.etag()).toBe(etagOfCut(data, sizes));
        },
      ),
    );
  });

  it('gives no ETag when the bytes do not fill the parts exactly', () => {
    const short = new PartHasher([4, 4]);
    short.update(Buffer.alloc(7));
    expect(short.etag()).toBeUndefined();
    const long = new PartHasher([4, 4]);
    long.update(Buffer.alloc(9));
    expect(long.etag()).toBeUndefined();
  });
});
