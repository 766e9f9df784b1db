/**
 * combineCrcs against the CRC of the concatenated bytes: S3's published FULL_OBJECT
 * multipart checksums (the vectors ceph/s3-tests uses: three 5 MiB parts of 'A', 'B' and
 * 'C') and random splits of random data for each CRC.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChecksum, type ChecksumAlgorithm } from '../../../src/auth/checksums.js';
import { combineCrcs, type CombinableCrc } from '../../../src/auth/crc-combine.js';

const FIVE_MIB = 5 * 1024 * 1024;

function crcOf(algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return Buffer.from(checksum.digestBase64(), 'base64');
}

describe('combineCrcs', () => {
  const vectors: Array<[CombinableCrc, string[], string]> = [
    ['CRC32', ['JRTCyQ==', 'QoZTGg==', 'YAgjqw=='], 'WgDhBQ=='],
    ['CRC32C', ['MDaLrw==', 'TH4EZg==', 'Z7mBIQ=='], 'xU+Krw=='],
    ['CRC64NVME', ['L/E4WYn8v98=', 'xW1l19VobYM=', 'cK5MnNaWrW4='], 'i+6LR0y3eFo='],
  ];
  it.each(vectors)('%s: three 5 MiB parts give the full-object checksum', (alg, parts, want) => {
    const partCrcs = parts.map((p) => ({ crc: Buffer.from(p, 'base64'), size: FIVE_MIB }));
    expect(combineCrcs(alg, partCrcs).toString('base64')).toBe(want);
  });

  it('the part vectors are the CRCs of those parts', () => {
    const body = Buffer.alloc(FIVE_MIB, 'A');
    expect(crcOf('CRC32', body).toString('base64')).toBe('JRTCyQ==');
    expect(crcOf('CRC64NVME', body).toString('base64')).toBe('L/E4WYn8v98=');
  });

  it.each(['CRC32', 'CRC32C', 'CRC64NVME'] as const)(
    '%s: combining the CRCs of any split equals the CRC of the whole',
    (alg) => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (chunks) => {
          const parts = chunks.map((c) => ({ crc: crcOf(alg, c), size: c.length }));
          const whole = crcOf(alg, Buffer.concat(chunks));
          expect(combineCrcs(alg, parts).equals(whole)).toBe(true);
        }),
        { numRuns: 200 },
      );
    },
  );

  it('refuses a CRC of the wrong width', () => {
    expect(() => combineCrcs('CRC32', [{ crc: Buffer.alloc(8), size: 1 }])).toThrow();
  });
});
