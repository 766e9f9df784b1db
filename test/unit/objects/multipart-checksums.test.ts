/**
 * The pure rules CompleteMultipartUpload added: parts named twice in a row, whether a
 * retried Complete names what was completed, the checksum types an algorithm may have, the
 * object checksum of each type, and the check of the checksum a Complete claims.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/objects/manifest.js';
import {
  checkClaimedChecksum,
  completedWith,
  distinctRequestedParts,
  MultipartError,
  objectChecksum,
  uploadChecksumType,
} from '../../../src/objects/multipart.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MultipartError) return error.code;
    throw error;
  }
  return 'none';
}

const want = (partNumber: number, etag = `e${partNumber}`) => ({ partNumber, etag, checksums: {} });

describe('distinctRequestedParts', () => {
  it('keeps the last ETag of a number named twice in a row; refuses a number going down', () => {
    expect(distinctRequestedParts([want(1, 'a'), want(1, 'b'), want(2)])).toEqual([
      want(1, 'b'),
      want(2),
    ]);
    expect(codeOf(() => distinctRequestedParts([want(2), want(1)]))).toBe('InvalidPartOrder');
    expect(codeOf(() => distinctRequestedParts([want(1), want(2), want(1)]))).toBe(
      'InvalidPartOrder',
    );
  });
});

describe('completedWith', () => {
  const manifest = {
    parts: [1, 3].map((n) => ({ partNumber: n, etag: `e${n}` })),
  } as unknown as Manifest;

  it('is true only for the same part numbers and ETags', () => {
    expect(completedWith(manifest, [want(1), want(3)])).toBe(true);
    expect(completedWith(manifest, [want(1, 'x'), want(1), want(3)])).toBe(true);
    expect(completedWith(manifest, [want(1)])).toBe(false);
    expect(completedWith(manifest, [want(1), want(3, 'x')])).toBe(false);
    expect(completedWith(manifest, [want(1), want(2)])).toBe(false);
    expect(completedWith(manifest, [want(3), want(1)])).toBe(false);
    expect(completedWith({} as Manifest, [want(1)])).toBe(false);
  });
});

describe('checksum types', () => {
  it('gives each algorithm the types S3 allows, with S3 defaults', () => {
    expect(uploadChecksumType('CRC64NVME', undefined)).toBe('FULL_OBJECT');
    expect(uploadChecksumType('CRC32', undefined)).toBe('COMPOSITE');
    expect(uploadChecksumType('CRC32C', 'full_object')).toBe('FULL_OBJECT');
    expect(uploadChecksumType('SHA1', 'COMPOSITE')).toBe('COMPOSITE');
    expect(uploadChecksumType('SHA256', 'FULL_OBJECT')).toBeUndefined();
    expect(uploadChecksumType('CRC64NVME', 'COMPOSITE')).toBeUndefined();
    expect(uploadChecksumType('CRC32', 'PARTIAL')).toBeUndefined();
  });

  const sha = (data: Buffer) => createHash('sha256').update(data).digest();
  const parts = [Buffer.from('one'), Buffer.from('two!')].map((data) => ({
    size: data.length,
    checksums: { sha256: sha(data).toString('base64') },
  }));

  it('computes COMPOSITE over the raw part checksums with -N', () => {
    const raw = Buffer.concat(parts.map((p) => Buffer.from(p.checksums.sha256, 'base64')));
    expect(objectChecksum('SHA256', 'COMPOSITE', parts)).toBe(`${sha(raw).toString('base64')}-2`);
    expect(objectChecksum('SHA1', 'COMPOSITE', parts)).toBeUndefined();
    expect(objectChecksum('SHA256', 'FULL_OBJECT', parts)).toBeUndefined();
  });

  it('checks a claimed checksum: algorithm, then value with or without -N', () => {
    const computed = 'abc=-2';
    const claim = (algorithm: 'SHA256' | 'CRC32', value: string) => () =>
      checkClaimedChecksum({ algorithm, value }, 'SHA256', computed);
    expect(codeOf(claim('SHA256', 'abc=-2'))).toBe('none');
    expect(codeOf(claim('SHA256', 'abc='))).toBe('none');
    expect(codeOf(claim('SHA256', 'abc=-3'))).toBe('BadDigest');
    expect(codeOf(claim('SHA256', 'bad'))).toBe('BadDigest');
    expect(codeOf(claim('CRC32', 'abc='))).toBe('InvalidRequest');
    expect(codeOf(() => checkClaimedChecksum(undefined, undefined, undefined))).toBe('none');
    const noAlgorithm = () =>
      checkClaimedChecksum({ algorithm: 'CRC32', value: 'x' }, undefined, undefined);
    expect(codeOf(noAlgorithm)).toBe('InvalidRequest');
  });
});
