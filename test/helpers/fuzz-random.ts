/**
 * The random material of the fuzz test: a seeded PRNG and generators of hostile methods,
 * paths, queries, headers and XML bodies. Everything derives from the seed, so a failing
 * run is replayed by setting CAIRN_FUZZ_SEED to the seed it printed.
 */

/** A seeded PRNG (mulberry32) with the helpers the generators need. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }
}

export const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'] as const;
const ODD_METHODS = ['PATCH', 'PROPFIND', 'TRACE', 'get', 'FOO', 'M-SEARCH', 'MKCOL', 'LOCK'];

/** Path segments chosen to trip decoders, routers and key validation. */
const ODD_SEGMENTS = [
  '%00',
  '%ff',
  '%FF%FE',
  '%2F',
  '..',
  '.',
  '%2e%2e',
  '%',
  '%G1',
  '%E0%A4%A',
  '%C0%AF',
  'caf\u00e9',
  '\u{1F600}',
  '~',
  '+',
  '%20',
  '//',
  '\\',
  '*',
  ';',
  '%u0041',
  ':',
  '@',
  'riak-cs',
  'user',
  'users',
  'fuzz-keep',
  'fuzz-scratch',
  'fuzz-missing',
  'Bad_Bucket',
  'a',
  'xn--a',
  '-x',
  'x-',
  '192.168.0.1',
];

/** Known query parameters, including every sub-resource the router knows or refuses. */
export const QUERY_NAMES = [
  'location',
  'uploads',
  'list-type',
  'delete',
  'uploadId',
  'partNumber',
  'versioning',
  'versions',
  'tagging',
  'cors',
  'encryption',
  'acl',
  'lifecycle',
  'policy',
  'website',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'encoding-type',
  'key-marker',
  'upload-id-marker',
  'max-uploads',
  'part-number-marker',
  'max-parts',
  'versionId',
  'version-id-marker',
  'response-content-type',
  'response-content-disposition',
  'response-expires',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'AWSAccessKeyId',
  'Signature',
  'Expires',
  'x-id',
  'uploadid',
  'logging',
  'object-lock',
  'restore',
  'select',
  'torrent',
] as const;

/** A method: mostly S3's, sometimes one no S3 server knows. */
export function randomMethod(rng: Rng): string {
  return rng.chance(0.9) ? rng.pick(METHODS) : rng.pick(ODD_METHODS);
}

/** A query value: numbers in and out of range, odd encodings, long strings. */
export function randomQueryValue(rng: Rng, extra: readonly string[]): string {
  switch (rng.int(0, 9)) {
    case 0:
      return '';
    case 1:
      return String(rng.int(-5, 10_001));
    case 2:
      return rng.pick(['-1', '0', '1e9', '99999999999999999999', 'NaN', '0x10', '2.5', ' 3']);
    case 3:
      return rng.pick(['%', '%zz', '%00', '%FF', '%2F..%2F', '&', '=', '%26%3D']);
    case 4:
      return 'v'.repeat(rng.int(1, 3000));
    case 5:
      return rng.pick(extra.length > 0 ? extra : ['x']);
    case 6:
      return rng.pick(['url', '2', 'true', 'null', 'AWS4-HMAC-SHA256', 'Enabled']);
    default:
      return encodeURIComponent(rng.bytes(rng.int(1, 12)).toString('latin1'));
  }
}

/** A query string (without `?`) of known names with random values, or raw garbage. */
export function randomQuery(rng: Rng, extra: readonly string[] = []): string {
  if (rng.chance(0.05)) return rng.pick(['&&==&', '%', '=', '&=x', 'a=%zz', ';;', '?']);
  const count = rng.int(0, 4);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = rng.pick(QUERY_NAMES);
    parts.push(rng.chance(0.3) ? name : `${name}=${randomQueryValue(rng, extra)}`);
  }
  return parts.join('&');
}

/** A request target: odd segments, odd bytes, long keys, sometimes not a path at all. */
export function randomPath(rng: Rng, keys: readonly string[]): string {
  const shape = rng.int(0, 19);
  if (shape === 0) return rng.pick(['*', 'http://x/fuzz-keep', '', '/%', '//', '/?']);
  if (shape === 1) return `/fuzz-keep/${'k'.repeat(rng.int(1000, 1100))}`;
  if (shape === 2) return `/${'b'.repeat(rng.int(60, 70))}`;
  if (shape === 3) return `/fuzz-keep/${rng.bytes(rng.int(1, 20)).toString('latin1')}`;
  const segments: string[] = [];
  const count = rng.int(0, 4);
  for (let i = 0; i < count; i++) {
    segments.push(rng.chance(0.3) ? encodeKey(rng.pick(keys)) : rng.pick(ODD_SEGMENTS));
  }
  return `/${segments.join('/')}`;
}

/** Percent-encodes a key the way SDKs do (slashes kept). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Header values that parsers and verifiers must survive. */
export function randomHeader(rng: Rng): [string, string] {
  const name = rng.pick([
    'content-length',
    'transfer-encoding',
    'content-md5',
    'range',
    'x-amz-content-sha256',
    'authorization',
    'x-amz-date',
    'date',
    'expect',
    'x-amz-copy-source',
    'x-amz-meta-odd',
    'origin',
    'access-control-request-method',
    'content-type',
    'x-amz-decoded-content-length',
    'x-amz-checksum-crc32',
    'x-amz-trailer',
    'x-amz-tagging',
    'if-match',
    'if-none-match',
    'x-amz-sdk-checksum-algorithm',
    'content-encoding',
    'x-amz-copy-source-range',
    'x-amz-metadata-directive',
    'x-amz-server-side-encryption',
    'if-modified-since',
  ]);
  const value = rng.pick([
    '',
    '0',
    '-1',
    '18446744073709551616',
    'chunked',
    'gzip, chunked',
    'aws-chunked',
    'bytes=0-',
    'bytes=-0',
    'bytes=5-1',
    'bytes=0-1,3-4',
    'bytes=99999999999-',
    'AWS ',
    'AWS a:b:c',
    'AWS4-HMAC-SHA256 Credential=',
    'Bearer x',
    'AWS4-HMAC-SHA256 ,,,',
    'UNSIGNED-PAYLOAD',
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    '100-continue',
    '/fuzz-keep/obj-0',
    'fuzz-keep/%ff',
    '/',
    'x'.repeat(3000),
    '1B2M2Y8AsgTpgAmY7PhCfg==',
    'not-base64!',
    'k=v&k=v',
    'x-amz-checksum-crc32',
    'Thu, 01 Jan 1970 00:00:00 GMT',
    '20991231T000000Z',
    '*',
    '"etag"',
    'CRC32',
    'AES256',
    'multipart/form-data; boundary=xx',
    'REPLACE',
    'COPY',
    'bytes=0-4',
  ]);
  return [name, value];
}

/** Valid XML bodies for every operation that reads one. */
export const XML_BODIES: Record<string, string> = {
  CreateBucket:
    '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    '<LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
  PutBucketVersioning:
    '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
  PutBucketTagging: '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>',
  PutObjectTagging: '<Tagging><TagSet><Tag><Key>fz</Key><Value>1</Value></Tag></TagSet></Tagging>',
  PutBucketCors:
    '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>' +
    '<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
  DeleteObjects: '<Delete><Object><Key>obj-0</Key></Object><Quiet>true</Quiet></Delete>',
  CompleteMultipartUpload:
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>' +
    '</CompleteMultipartUpload>',
};

/**
 * A body that is certainly not well-formed XML (or is refused XML: DOCTYPE, entities),
 * derived from `valid`. Unlike a random byte flip, none of these can parse as a valid
 * document, so a server that accepts one has a bug.
 */
export function malformedXml(rng: Rng, valid: string): Buffer {
  const cut = rng.int(1, valid.length - 1);
  switch (rng.int(0, 10)) {
    case 0:
      return Buffer.from(valid.slice(0, cut));
    case 1:
      return Buffer.from(`<!DOCTYPE x [<!ENTITY a "${'a'.repeat(50)}">]>${valid}`);
    case 2:
      return Buffer.from(`<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd">${valid}`);
    case 3: {
      // Between elements, never inside a tag or a quoted attribute (where the parser in use
      // does not look for it).
      const gap = valid.indexOf('><', cut) + 1 || valid.indexOf('><') + 1;
      return Buffer.from(`${valid.slice(0, gap)}<Unclosed>${valid.slice(gap)}`);
    }
    case 4:
      return Buffer.from(`${valid}${valid}`);
    case 5:
      return Buffer.from(`${'<a>'.repeat(rng.int(1000, 20_000))}${valid}`);
    case 6:
      return Buffer.concat([Buffer.from(valid.slice(0, cut)), Buffer.from([0xff, 0xfe, 0x00])]);
    case 7:
      return Buffer.from(valid.replace(/<\/[A-Za-z]+>$/, '</Wrong>'));
    case 8:
      return Buffer.from(`${valid.slice(0, cut)}<![CDATA[ never closed`);
    case 9:
      return rng.bytes(rng.int(1, 2000));
    default:
      return Buffer.from(valid.replace('>', ' a=>'));
  }
}

/** Any XML: valid, malformed, or randomly mutated (which may still be valid). */
export function anyXml(rng: Rng, valid: string): Buffer {
  if (rng.chance(0.3)) return Buffer.from(valid);
  if (rng.chance(0.5)) return malformedXml(rng, valid);
  const bytes = Buffer.from(valid);
  for (let flips = rng.int(1, 4); flips > 0; flips--) {
    bytes[rng.int(0, bytes.length - 1)] = rng.int(0x20, 0x7e);
  }
  return bytes;
}
