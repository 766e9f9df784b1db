/**
 * The pure parts of listings, storage classes and GetObjectAttributes: encoding-type=url,
 * ListBuckets parameters and tokens, the storage-class header rules, attribute names and
 * the paging of a manifest's parts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ManifestPart } from '../../../src/objects/manifest.js';
import { S3Error } from '../../../src/http/errors.js';
import { encodeKey } from '../../../src/s3/handlers/list.js';
import {
  objectPartsXml,
  parseObjectAttributes,
  partsPage,
} from '../../../src/s3/handlers/object-attributes.js';
import { bucketToken, listBucketsParams } from '../../../src/s3/handlers/service.js';
import { parseOperation } from '../../../src/s3/operation.js';
import {
  STORAGE_CLASSES,
  storageClassField,
  storageClassFromHeaders,
  storageClassHeaders,
  storageClassOf,
} from '../../../src/s3/storage-class.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
  return 'none';
}

describe('encodeKey (encoding-type=url)', () => {
  it('encodes as ceph/s3-tests expects: "/" kept, space %20, plus %2B', () => {
    expect(encodeKey('foo+1/')).toBe('foo%2B1/');
    expect(encodeKey('quux ab/')).toBe('quux%20ab/');
    expect(encodeKey('\n')).toBe('%0A');
    expect(encodeKey("a!'()*~")).toBe('a%21%27%28%29%2A~');
  });

  it('decodes back to the key, whatever the key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (key) => {
        const encoded = encodeKey(key);
        expect(decodeURIComponent(encoded)).toBe(key);
        expect(encoded).toMatch(/^[A-Za-z0-9\-_.~/%]*$/);
      }),
    );
  });
});

describe('listBucketsParams', () => {
  const params = (query: string) => listBucketsParams(new URLSearchParams(query));

  it('lists everything without paging parameters, and pages with any of them', () => {
    expect(params('').paged).toBe(false);
    expect(params('max-buckets=2')).toEqual({ maxBuckets: 2, paged: true });
    expect(params('prefix=a')).toEqual({ maxBuckets: 10_000, paged: true, prefix: 'a' });
    expect(params('bucket-region=eu-west-1').bucketRegion).toBe('eu-west-1');
    expect(params(`continuation-token=${bucketToken('my-bucket')}`).after).toBe('my-bucket');
    expect(params('continuation-token=').paged).toBe(true);
  });

  it('refuses a bad max-buckets or a token it did not make', () => {
    for (const bad of ['0', '10001', '-1', 'x', '1.5', '99999999999']) {
      expect(codeOf(() => params(`max-buckets=${bad}`))).toBe('InvalidArgument');
    }
    for (const bad of ['!!', 'YQ==', 'a b']) {
      expect(codeOf(() => params(`continuation-token=${encodeURIComponent(bad)}`))).toBe(
        'InvalidArgument',
      );
    }
  });
});

describe('storage classes', () => {
  const of = (value?: string) =>
    storageClassFromHeaders(value === undefined ? {} : { 'x-amz-storage-class': value });

  it('keeps the general-purpose classes, refuses archives and the rest', () => {
    expect(of()).toBeUndefined();
    for (const storageClass of STORAGE_CLASSES) expect(of(storageClass)).toBe(storageClass);
    expect(codeOf(() => of('GLACIER'))).toBe('NotImplemented');
    expect(codeOf(() => of('DEEP_ARCHIVE'))).toBe('NotImplemented');
    for (const other of ['EXPRESS_ONEZONE', 'OUTPOSTS', 'SNOW', 'FSX_OPENZFS', 'standard', '']) {
      expect(codeOf(() => of(other))).toBe('InvalidStorageClass');
    }
  });

  it('stores nothing for STANDARD and shows the header only for other classes', () => {
    expect(storageClassField('STANDARD')).toEqual({});
    expect(storageClassField(undefined)).toEqual({});
    expect(storageClassField('ONEZONE_IA')).toEqual({ storageClass: 'ONEZONE_IA' });
    expect(storageClassOf({})).toBe('STANDARD');
    expect(storageClassHeaders({})).toEqual({});
    expect(storageClassHeaders({ storageClass: 'GLACIER_IR' })).toEqual({
      'x-amz-storage-class': 'GLACIER_IR',
    });
  });
});

describe('GetObjectAttributes', () => {
  it('routes GET ?attributes on an object only', () => {
    const op = (method: string, path: string) => () =>
      parseOperation({ method, path, query: new URLSearchParams('attributes') });
    expect(op('GET', '/b/k')()).toEqual({ name: 'GetObjectAttributes', bucket: 'b', key: 'k' });
    expect(codeOf(op('PUT', '/b/k'))).toBe('MethodNotAllowed');
    expect(codeOf(op('GET', '/b'))).toBe('NotImplemented');
  });

  it('parses the attribute list and refuses an empty or unknown one', () => {
    expect([...parseObjectAttributes('ETag, ObjectSize,ETag')]).toEqual(['ETag', 'ObjectSize']);
    expect(codeOf(() => parseObjectAttributes(undefined))).toBe('InvalidArgument');
    expect(codeOf(() => parseObjectAttributes(' , '))).toBe('InvalidArgument');
    expect(codeOf(() => parseObjectAttributes('ETag,etag'))).toBe('InvalidArgument');
  });

  const parts: ManifestPart[] = [1, 2, 3, 5].map((partNumber) => ({
    partNumber,
    size: partNumber * 10,
    etag: 'e',
    versionId: 'v',
    blockSize: 1,
    blockCount: 1,
    ...(partNumber === 2 ? { checksums: { sha256: 'S' } } : {}),
  }));

  it('pages parts after a marker, as the suite pages them', () => {
    const numbers = (marker: number, max: number) => {
      const { page, isTruncated } = partsPage(parts, marker, max);
      return [page.map((p) => p.partNumber), isTruncated];
    };
    expect(numbers(0, 1000)).toEqual([[1, 2, 3, 5], false]);
    expect(numbers(0, 2)).toEqual([[1, 2], true]);
    expect(numbers(3, 1)).toEqual([[5], false]);
    expect(numbers(4, 10)).toEqual([[5], false]);
    expect(numbers(5, 10)).toEqual([[], false]);
    expect(numbers(0, 0)).toEqual([[], true]);
  });

  it('renders ObjectParts with counts, markers and part checksums', () => {
    const manifest = { parts } as Parameters<typeof objectPartsXml>[0];
    expect(objectPartsXml(manifest, 1, 1)).toEqual({
      PartsCount: 4,
      PartNumberMarker: 1,
      NextPartNumberMarker: 2,
      MaxParts: 1,
      IsTruncated: true,
      Part: [{ PartNumber: 2, Size: 20, ChecksumSHA256: 'S' }],
    });
  });
});
