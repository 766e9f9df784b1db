/**
 * The pure pieces of multipart, copy and multi-delete: Complete's checks and ETag, the
 * request XML, x-amz-copy-source parsing and conditions, ?partNumber selection, the
 * ListMultipartUploads pager and the routing of the new sub-resources.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/objects/manifest.js';
import {
  MultipartError,
  multipartEtag,
  planCompletion,
  uploadSortKey,
  type PartRecord,
  type UploadRecord,
} from '../../../src/objects/multipart.js';
import { listUploadsPage, type UploadScan } from '../../../src/objects/upload-listing.js';
import {
  checkCopySourceConditions,
  metadataDirective,
  parseCopySource,
  parseCopySourceRange,
} from '../../../src/s3/copy-source.js';
import { S3Error } from '../../../src/http/errors.js';
import { parseOperation } from '../../../src/s3/operation.js';
import { selectPart } from '../../../src/s3/part-select.js';
import { decodeXmlText, parseCompleteXml, parseDeleteXml } from '../../../src/s3/request-xml.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof S3Error || error instanceof MultipartError) return error.code;
    throw error;
  }
  return 'none';
}

const MiB = 1024 * 1024;

function part(partNumber: number, size: number, etag = `e${partNumber}`): PartRecord {
  const base = { partNumber, size, etag, versionId: `v${partNumber}`, blockSize: MiB };
  return { ...base, blockCount: Math.ceil(size / MiB), lastModifiedMs: 0 };
}

describe('planCompletion', () => {
  const uploaded = new Map([1, 2, 3].map((n) => [n, part(n, n === 3 ? 10 : 5 * MiB)]));
  uploaded.get(2)!.checksums = { crc32: 'AAAAAA==' };
  const want = (partNumber: number, etag = `e${partNumber}`, checksums = {}) => ({
    partNumber,
    etag,
    checksums,
  });

  it('assembles the named parts in order and reports the rest as unused', () => {
    const plan = planCompletion([want(1), want(3)], uploaded, 5 * MiB);
    expect(plan.parts.map((p) => p.partNumber)).toEqual([1, 3]);
    expect(plan.unused.map((p) => p.partNumber)).toEqual([2]);
    expect(plan.size).toBe(5 * MiB + 10);
  });

  it('refuses bad requests with S3 codes', () => {
    const plan = (parts: ReturnType<typeof want>[]) => () =>
      planCompletion(parts, uploaded, 5 * MiB);
    expect(codeOf(plan([]))).toBe('MalformedXML');
    expect(codeOf(plan([want(2), want(1)]))).toBe('InvalidPartOrder');
    expect(codeOf(plan([want(1), want(3), want(1)]))).toBe('InvalidPartOrder');
    expect(codeOf(plan([want(4)]))).toBe('InvalidPart');
    expect(codeOf(plan([want(1, 'wrong')]))).toBe('InvalidPart');
    expect(codeOf(plan([want(2, 'e2', { crc32: 'BBBBBB==' })]))).toBe('InvalidPart');
    expect(codeOf(plan([want(2, 'e2', { crc32: 'AAAAAA==' })]))).toBe('none');
    expect(codeOf(plan([want(3), want(4)]))).toBe('InvalidPart');
    expect(codeOf(plan([want(1), want(3)]))).toBe('none');
    const small = new Map([1, 2].map((n) => [n, part(n, 5 * MiB - 1)]));
    expect(codeOf(() => planCompletion([want(1), want(2)], small, 5 * MiB))).toBe('EntityTooSmall');
    expect(codeOf(() => planCompletion([want(2)], small, 5 * MiB))).toBe('none');
  });
});

describe('multipartEtag', () => {
  it('is the MD5 of the binary part MD5s, then -N', () => {
    const md5 = (text: string) => createHash('md5').update(text).digest();
    const expected = createHash('md5')
      .update(Buffer.concat([md5('a'), md5('b')]))
      .digest('hex');
    expect(multipartEtag([md5('a').toString('hex'), md5('b').toString('hex')])).toBe(
      `${expected}-2`,
    );
    // A value computed by S3 for two parts whose MD5s are all zeros and all ones.
    const zeros = '0'.repeat(32);
    const ones = 'f'.repeat(32);
    const both = Buffer.concat([Buffer.alloc(16, 0), Buffer.alloc(16, 0xff)]);
    expect(multipartEtag([zeros, ones])).toBe(`${createHash('md5').update(both).digest('hex')}-2`);
  });
});

describe('request XML', () => {
  it('parses Complete: quoted or entity-quoted ETags, checksums, order kept', () => {
    const parts = parseCompleteXml(
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Part><PartNumber>2</PartNumber><ETag>"abc"</ETag>' +
        '<ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>' +
        '<Part><ETag>&quot;def&quot;</ETag><PartNumber>1</PartNumber></Part>' +
        '</CompleteMultipartUpload>',
    );
    expect(parts).toEqual([
      { partNumber: 2, etag: 'abc', checksums: { crc32: 'AAAAAA==' } },
      { partNumber: 1, etag: 'def', checksums: {} },
    ]);
  });

  it('refuses malformed Complete bodies', () => {
    const complete = (inner: string) => () =>
      parseCompleteXml(`<CompleteMultipartUpload>${inner}</CompleteMultipartUpload>`);
    expect(codeOf(complete(''))).toBe('MalformedXML');
    expect(codeOf(complete('<Part><PartNumber>x</PartNumber><ETag>a</ETag></Part>'))).toBe(
      'MalformedXML',
    );
    expect(codeOf(complete('<Part><PartNumber>1</PartNumber></Part>'))).toBe('MalformedXML');
    expect(codeOf(complete('<Part><PartNumber>0</PartNumber><ETag>a</ETag></Part>'))).toBe(
      'InvalidArgument',
    );
    expect(codeOf(complete('<Part><PartNumber>10001</PartNumber><ETag>a</ETag></Part>'))).toBe(
      'InvalidArgument',
    );
    expect(codeOf(() => parseCompleteXml('<Other/>'))).toBe('MalformedXML');
    expect(codeOf(() => parseCompleteXml('<CompleteMultipartUpload><Part>'))).toBe('MalformedXML');
    const doctype = '<!DOCTYPE x [<!ENTITY a "b">]><CompleteMultipartUpload/>';
    expect(codeOf(() => parseCompleteXml(doctype))).toBe('MalformedXML');
  });

  it('parses Delete: keys keep their spaces, entities decode, Quiet', () => {
    const parsed = parseDeleteXml(
      '<Delete><Quiet>true</Quiet><Object><Key> a &amp; b&#x263A; </Key></Object>' +
        '<Object><Key>k</Key><VersionId>null</VersionId></Object></Delete>',
    );
    expect(parsed).toEqual({
      quiet: true,
      objects: [{ key: ' a & b\u263a ' }, { key: 'k', versionId: 'null' }],
    });
    expect(parseDeleteXml('<Delete><Object><Key>x</Key></Object></Delete>').quiet).toBe(false);
  });

  it('refuses Delete bodies with no key, more than 1,000 keys, or a keyless Object', () => {
    const objects = (n: number) => '<Object><Key>k</Key></Object>'.repeat(n);
    expect(codeOf(() => parseDeleteXml(`<Delete>${objects(1000)}</Delete>`))).toBe('none');
    expect(codeOf(() => parseDeleteXml(`<Delete>${objects(1001)}</Delete>`))).toBe('MalformedXML');
    expect(codeOf(() => parseDeleteXml('<Delete></Delete>'))).toBe('MalformedXML');
    expect(codeOf(() => parseDeleteXml('<Delete><Object/></Delete>'))).toBe('MalformedXML');
    expect(codeOf(() => parseDeleteXml('not xml'))).toBe('MalformedXML');
    expect(codeOf(() => decodeXmlText('&bogus;'))).toBe('MalformedXML');
  });
});

describe('copy source', () => {
  it('parses encoded keys, a leading slash and versionId=null', () => {
    expect(parseCopySource('bkt/a%20b/c%2Bd')).toEqual({ bucket: 'bkt', key: 'a b/c+d' });
    expect(parseCopySource('/bkt/k%E2%98%BA?versionId=null')).toEqual({
      bucket: 'bkt',
      key: 'k\u263a',
    });
    for (const bad of ['bkt', 'bkt/', '/', '', '%zz/k']) {
      expect(codeOf(() => parseCopySource(bad))).toBe('InvalidArgument');
    }
    expect(codeOf(() => parseCopySource('bkt/k?versionId=abc'))).toBe('InvalidArgument');
  });

  it('fails every unmet condition with 412, as S3 does for copies', () => {
    const etag = 'abc';
    const modifiedMs = Date.parse('2024-01-02T00:00:00Z');
    const check = (headers: Record<string, string>) => () =>
      checkCopySourceConditions(headers, etag, modifiedMs);
    const before = 'Mon, 01 Jan 2024 00:00:00 GMT';
    const after = 'Wed, 03 Jan 2024 00:00:00 GMT';
    expect(codeOf(check({ 'x-amz-copy-source-if-match': '"abc"' }))).toBe('none');
    expect(codeOf(check({ 'x-amz-copy-source-if-match': '"x"' }))).toBe('PreconditionFailed');
    expect(codeOf(check({ 'x-amz-copy-source-if-none-match': '"abc"' }))).toBe(
      'PreconditionFailed',
    );
    expect(codeOf(check({ 'x-amz-copy-source-if-modified-since': after }))).toBe(
      'PreconditionFailed',
    );
    expect(codeOf(check({ 'x-amz-copy-source-if-modified-since': before }))).toBe('none');
    expect(codeOf(check({ 'x-amz-copy-source-if-unmodified-since': before }))).toBe(
      'PreconditionFailed',
    );
    // A matching If-Match wins over a failing If-Unmodified-Since.
    const both = {
      'x-amz-copy-source-if-match': 'abc',
      'x-amz-copy-source-if-unmodified-since': before,
    };
    expect(codeOf(check(both))).toBe('none');
  });

  it('parses x-amz-copy-source-range and the metadata directive', () => {
    expect(parseCopySourceRange('bytes=0-9', 10)).toEqual({ start: 0, end: 9 });
    expect(parseCopySourceRange(undefined, 10)).toEqual({ start: 0, end: 9 });
    for (const bad of ['bytes=5-4', 'bytes=-5', 'bytes=3-', 'items=0-1', 'bytes=0-2,3-5']) {
      expect(codeOf(() => parseCopySourceRange(bad, 10))).toBe('InvalidArgument');
    }
    for (const past of ['bytes=0-10', 'bytes=10-12', 'bytes=0-21']) {
      expect(codeOf(() => parseCopySourceRange(past, 10))).toBe('InvalidRange');
    }
    expect(metadataDirective({})).toBe('COPY');
    expect(metadataDirective({ 'x-amz-metadata-directive': 'REPLACE' })).toBe('REPLACE');
    expect(codeOf(() => metadataDirective({ 'x-amz-metadata-directive': 'MOVE' }))).toBe(
      'InvalidArgument',
    );
  });
});

describe('selectPart', () => {
  const base = { size: 30, checksums: { crc32: 'whole' } } as unknown as Manifest;
  const multipart = {
    ...base,
    parts: [
      { size: 10, checksums: { crc32: 'p1' } },
      { size: 15, checksums: { crc32: 'p2' } },
      { size: 5 },
    ],
  } as unknown as Manifest;

  it('selects a part by position; a single-PUT object is part 1', () => {
    expect(selectPart(multipart, '2', undefined)).toEqual({
      range: { start: 10, end: 24 },
      checksums: { crc32: 'p2' },
    });
    expect(selectPart(multipart, '3', undefined).range).toEqual({ start: 25, end: 29 });
    expect(selectPart(base, '1', undefined)).toEqual({
      range: { start: 0, end: 29 },
      checksums: { crc32: 'whole' },
    });
  });

  it('refuses a part past the end, a bad number, and a Range with it', () => {
    expect(codeOf(() => selectPart(multipart, '4', undefined))).toBe('InvalidPart');
    expect(codeOf(() => selectPart(base, '2', undefined))).toBe('InvalidPart');
    expect(codeOf(() => selectPart(base, '0', undefined))).toBe('InvalidArgument');
    expect(codeOf(() => selectPart(base, 'x', undefined))).toBe('InvalidArgument');
    expect(codeOf(() => selectPart(base, '1', 'bytes=0-1'))).toBe('InvalidRequest');
  });
});

describe('listUploadsPage', () => {
  const uploads: UploadRecord[] = [
    ['a', 'u1'],
    ['a', 'u2'],
    ['dir/x', 'u3'],
    ['dir/y', 'u4'],
    ['z', 'u5'],
  ].map(([key, uploadId]) => ({
    format: 1,
    uploadId: uploadId!,
    bucketId: 'b',
    key: key!,
    ownerId: 'o',
    initiatedMs: 0,
    headers: { contentType: 'x' },
    metadata: {},
  }));
  const scan: UploadScan = async ({ after, prefix, limit }) =>
    uploads
      .filter((u) => {
        const sk = Buffer.from(uploadSortKey(u.key, u.uploadId));
        if (after && Buffer.compare(sk, after) <= 0) return false;
        return !prefix || sk.subarray(0, prefix.length).equals(prefix);
      })
      .slice(0, limit);
  const names = (page: Awaited<ReturnType<typeof listUploadsPage>>) =>
    page.entries.map((e) =>
      e.kind === 'prefix' ? e.prefix : `${e.upload.key}:${e.upload.uploadId}`,
    );

  it('pages with key and upload-id markers, prefixes and delimiters', async () => {
    const all = await listUploadsPage(scan, { prefix: '', maxUploads: 1000 });
    expect(names(all)).toEqual(['a:u1', 'a:u2', 'dir/x:u3', 'dir/y:u4', 'z:u5']);
    const first = await listUploadsPage(scan, { prefix: '', maxUploads: 2 });
    expect(first.isTruncated).toBe(true);
    const next = await listUploadsPage(scan, {
      prefix: '',
      keyMarker: 'a',
      uploadIdMarker: 'u1',
      maxUploads: 2,
    });
    expect(names(next)).toEqual(['a:u2', 'dir/x:u3']);
    const afterKey = await listUploadsPage(scan, { prefix: '', keyMarker: 'a', maxUploads: 9 });
    expect(names(afterKey)).toEqual(['dir/x:u3', 'dir/y:u4', 'z:u5']);
    const rolled = await listUploadsPage(scan, { prefix: '', delimiter: '/', maxUploads: 9 });
    expect(names(rolled)).toEqual(['a:u1', 'a:u2', 'dir/', 'z:u5']);
    const pastPrefix = await listUploadsPage(scan, {
      prefix: '',
      delimiter: '/',
      keyMarker: 'dir/',
      maxUploads: 9,
    });
    expect(names(pastPrefix)).toEqual(['z:u5']);
    const inDir = await listUploadsPage(scan, { prefix: 'dir/', maxUploads: 9 });
    expect(names(inDir)).toEqual(['dir/x:u3', 'dir/y:u4']);
  });
});

describe('parseOperation (multipart, multi-delete)', () => {
  const op = (method: string, url: string) => {
    const [path, query] = url.split('?');
    return parseOperation({ method, path: path!, query: new URLSearchParams(query ?? '') });
  };

  it('routes the new sub-resources', () => {
    expect(op('POST', '/b/k?uploads').name).toBe('CreateMultipartUpload');
    expect(op('PUT', '/b/k?partNumber=1&uploadId=u').name).toBe('UploadPart');
    expect(op('POST', '/b/k?uploadId=u').name).toBe('CompleteMultipartUpload');
    expect(op('DELETE', '/b/k?uploadId=u').name).toBe('AbortMultipartUpload');
    expect(op('GET', '/b/k?uploadId=u').name).toBe('ListParts');
    expect(op('GET', '/b?uploads').name).toBe('ListMultipartUploads');
    expect(op('POST', '/b?delete').name).toBe('DeleteObjects');
    expect(op('GET', '/b/k?partNumber=1').name).toBe('GetObject');
    expect(codeOf(() => op('PUT', '/b/k?partNumber=1'))).toBe('InvalidRequest');
    expect(codeOf(() => op('GET', '/b?logging'))).toBe('NotImplemented');
  });
});
