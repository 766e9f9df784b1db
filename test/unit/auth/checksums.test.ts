// Checksums: the CRC check values ("123456789"), the crc32c in S3's streaming-trailer example,
// incremental equals one-shot, and the plain-body verifier's end-of-stream verdicts.

import { createHash } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  AuthError,
  CHECKSUM_ALGORITHMS,
  bodyVerifier,
  checksumAlgorithmFromHeader,
  createChecksum,
  type ChecksumAlgorithm,
} from '../../../src/auth/index.js';
import { runThrough, splitAt } from './fixtures.js';

function digestOf(algorithm: ChecksumAlgorithm, pieces: readonly Buffer[]): string {
  const checksum = createChecksum(algorithm);
  for (const piece of pieces) checksum.update(piece);
  return checksum.digestBase64();
}

describe('checksums', () => {
  const check = Buffer.from('123456789');
  const cases: Array<[ChecksumAlgorithm, string]> = [
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
    ['SHA1', createHash('sha1').update(check).digest('hex')],
    ['SHA256', createHash('sha256').update(check).digest('hex')],
  ];
  for (const [algorithm, hex] of cases) {
    it(`checksums: ${algorithm} check value of "123456789"`, () => {
      expect(digestOf(algorithm, [check])).toBe(Buffer.from(hex, 'hex').toString('base64'));
    });
  }

  it('checksums: CRC32C of the S3 trailer example body (66560 x "a") is sOO8/Q==', () => {
    expect(digestOf('CRC32C', [Buffer.alloc(66560, 'a')])).toBe('sOO8/Q==');
  });

  it('checksums: empty input', () => {
    expect(digestOf('CRC32', [])).toBe('AAAAAA==');
    expect(digestOf('CRC64NVME', [])).toBe('AAAAAAAAAAA=');
  });

  it('checksums: incremental updates equal one-shot (any split)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300), { maxLength: 6 }),
        fc.constantFrom(...CHECKSUM_ALGORITHMS),
        (bytes, cuts, algorithm) => {
          const data = Buffer.from(bytes);
          expect(digestOf(algorithm, splitAt(data, cuts))).toBe(digestOf(algorithm, [data]));
        },
      ),
    );
  });

  it('checksums: algorithm names from headers and SDK values', () => {
    expect(checksumAlgorithmFromHeader('x-amz-checksum-crc64nvme')).toBe('CRC64NVME');
    expect(checksumAlgorithmFromHeader('X-Amz-Checksum-CRC32C')).toBe('CRC32C');
    expect(checksumAlgorithmFromHeader('sha256')).toBe('SHA256');
    expect(checksumAlgorithmFromHeader('x-amz-checksum-md5')).toBeUndefined();
  });
});

describe('checksums: plain body verifier', () => {
  const body = Buffer.from('Welcome to Amazon S3.');
  const sha256 = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';

  it('checksums: signed-sha256 body passes and is unchanged', async () => {
    const verifier = bodyVerifier({ kind: 'signed-sha256', sha256Hex: sha256 }, {});
    const { output, error } = await runThrough(verifier.stream, splitAt(body, [3, 10]));
    expect(error).toBeUndefined();
    expect(output.equals(body)).toBe(true);
  });

  it('checksums: signed-sha256 mismatch fails with XAmzContentSHA256Mismatch', async () => {
    const verifier = bodyVerifier({ kind: 'signed-sha256', sha256Hex: sha256 }, {});
    const { error } = await runThrough(verifier.stream, [Buffer.from('Welcome to Amazon S4.')]);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('XAmzContentSHA256Mismatch');
  });

  it('checksums: x-amz-checksum-crc32 header verified and exposed', async () => {
    const crc32 = digestOf('CRC32', [body]);
    const verifier = bodyVerifier({ kind: 'unsigned' }, { 'x-amz-checksum-crc32': crc32 });
    const { error } = await runThrough(verifier.stream, [body]);
    expect(error).toBeUndefined();
    expect(verifier.checksums()).toEqual({ 'x-amz-checksum-crc32': crc32 });
  });

  it('checksums: wrong x-amz-checksum-sha1 header fails with BadDigest', async () => {
    const wrong = digestOf('SHA1', [Buffer.from('other')]);
    const verifier = bodyVerifier({ kind: 'none' }, { 'x-amz-checksum-sha1': wrong });
    const { error } = await runThrough(verifier.stream, [body]);
    expect((error as AuthError).code).toBe('BadDigest');
  });

  it('checksums: malformed checksum header fails with BadDigest', async () => {
    const verifier = bodyVerifier({ kind: 'none' }, { 'x-amz-checksum-crc32': 'nope' });
    const { error } = await runThrough(verifier.stream, [body]);
    expect((error as AuthError).code).toBe('BadDigest');
  });
});
