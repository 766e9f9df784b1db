/**
 * The emulator's SDK-v1 signers reproduce AWS's published examples before any test trusts
 * them: SigV2 (the S3 developer guide's puppy.jpg), SigV4 header and presigned GETs, and
 * the STREAMING-AWS4-HMAC-SHA256-PAYLOAD example (66,560 bytes in 64 KiB chunks).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  ChunkSigner,
  chunkedLength,
  encodeS3,
  presignQueryV4,
  signatureV2,
  signV4,
  stringToSignV2,
} from '../../cloudstack/sdk-v1-signers.js';

const keys = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const DATE = '20130524T000000Z';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('cloudstack emulator: SDK v1 signers', () => {
  it('SigV2: GET /johnsmith/photos/puppy.jpg (S3 developer guide)', () => {
    const date = 'Tue, 27 Mar 2007 19:36:42 +0000';
    const toSign = stringToSignV2('GET', { Date: date }, '/johnsmith/photos/puppy.jpg', []);
    expect(toSign).toBe(`GET\n\n\n${date}\n/johnsmith/photos/puppy.jpg`);
    expect(signatureV2(keys.secretAccessKey, toSign)).toBe('bWq2s1WEIj+Ydj0vQ697zp+IXMU=');
  });

  it('SigV2: only sub-resources are signed, sorted, with raw values', () => {
    const query = [
      ['uploadId', 'a/b'],
      ['prefix', 'x'],
      ['partNumber', '3'],
    ] as const;
    const toSign = stringToSignV2('PUT', { Date: 'D', 'X-Amz-Meta-B': ' 1 ' }, '/b/k', query);
    expect(toSign).toBe('PUT\n\n\nD\nx-amz-meta-b:1\n/b/k?partNumber=3&uploadId=a/b');
  });

  it('SigV4: GET /test.txt with a Range (AWS example)', () => {
    const signed = signV4(keys, {
      method: 'GET',
      encodedPath: '/test.txt',
      query: [],
      headers: {
        Host: 'examplebucket.s3.amazonaws.com',
        Range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY,
        'x-amz-date': DATE,
      },
      payloadHash: EMPTY,
      amzDate: DATE,
      region: 'us-east-1',
    });
    expect(signed.signedHeaders).toBe('host;range;x-amz-content-sha256;x-amz-date');
    expect(signed.signature).toBe(
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('SigV4: presigned GET /test.txt for 86400 s (AWS example)', () => {
    const query = presignQueryV4(
      keys,
      { method: 'GET', encodedPath: '/test.txt', host: 'examplebucket.s3.amazonaws.com',
        region: 'us-east-1' }, // prettier-ignore
      Date.UTC(2013, 4, 24),
      86400,
    );
    expect(query).toContain(
      'X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('SigV4 streaming: seed and chunk signatures of the 66,560-byte example', async () => {
    const seed = signV4(keys, {
      method: 'PUT',
      encodedPath: '/examplebucket/chunkObject.txt',
      query: [],
      headers: {
        Host: 's3.amazonaws.com',
        'x-amz-date': DATE,
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'Content-Encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'Content-Length': '66824',
      },
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      amzDate: DATE,
      region: 'us-east-1',
    });
    expect(seed.signature).toBe('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
    const signer = new ChunkSigner({ ...seed, amzDate: DATE }, 64 * 1024);
    const parts: Buffer[] = [];
    for await (const piece of Readable.from([Buffer.alloc(66560, 'a')]).pipe(signer)) {
      parts.push(Buffer.from(piece as Buffer));
    }
    const body = Buffer.concat(parts);
    expect(body.length).toBe(66824);
    expect(chunkedLength(66560, 64 * 1024)).toBe(66824);
    const signatures = [...body.toString('latin1').matchAll(/chunk-signature=([0-9a-f]{64})/g)];
    expect(signatures.map((m) => m[1])).toEqual([
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ]);
  });

  it('encodes keys as SDK v1 does: space %20, plus %2B, slash kept in paths', () => {
    expect(encodeS3('a b+c/x*', true)).toBe('a%20b%2Bc/x%2A');
    expect(encodeS3('a/b')).toBe('a%2Fb');
  });
});
