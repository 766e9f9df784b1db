/**
 * The client-side signers of AWS SDK for Java v1 as CloudStack configures it: `S3SignerType`
 * (SigV2) and `AWSS3V4SignerType` (SigV4, aws-chunked bodies over HTTP), and the presigned
 * URLs of `generatePresignedUrl`. Written here from the SDK's rules, independently of the
 * server's verifier in src/auth/, so that a shared misreading cannot make both sides agree.
 * Checked against AWS's published examples in test/unit/cloudstack-signers.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** An access key pair. */
export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Hex SHA-256 of the empty body. */
export const EMPTY_SHA256_HEX = createHash('sha256').update('').digest('hex');
/** The payload hash SDK v1 signs PutObject/UploadPart with over plain HTTP. */
export const STREAMING_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
/** The aws-chunked chunk size of SDK v1's AWSS3V4Signer: 128 KiB. */
export const CHUNK_BYTES_V1 = 128 * 1024;

// RestUtils.SIGNED_PARAMETERS of SDK v1: the only query names in the V2 resource.
const V2_SUBRESOURCES = new Set([
  'acl', 'torrent', 'logging', 'location', 'policy', 'requestPayment', 'versioning',
  'versions', 'versionId', 'notification', 'uploadId', 'uploads', 'partNumber', 'website',
  'delete', 'lifecycle', 'tagging', 'cors', 'restore', 'replication', 'accelerate',
  'inventory', 'analytics', 'metrics', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires',
]); // prettier-ignore

/** A query parameter as the SDK holds it: decoded name and value (value absent: `?uploads`). */
export type QueryPair = readonly [name: string, value?: string];

/** RFC 3986 encoding as the SDK's SdkHttpUtils.urlEncode does it; `/` kept in paths. */
export function encodeS3(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** The query string as sent: encoded pairs in the given order. */
export function renderQuery(query: readonly QueryPair[]): string {
  return query
    .map(([name, value]) =>
      value === undefined ? encodeS3(name) : `${encodeS3(name)}=${encodeS3(value)}`,
    )
    .join('&');
}

/**
 * The V2 string to sign: verb, Content-MD5, Content-Type, Date (or Expires), the `x-amz-*`
 * headers and `/bucket/key` plus the sub-resources with their raw values, sorted.
 */
export function stringToSignV2(
  method: string,
  headers: Readonly<Record<string, string>>,
  resourcePath: string,
  query: readonly QueryPair[],
  expires?: string,
): string {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const amz = [...lower.keys()].filter((name) => name.startsWith('x-amz-')).sort();
  const date = expires ?? (lower.has('x-amz-date') ? '' : (lower.get('date') ?? ''));
  const sub = query
    .filter(([name]) => V2_SUBRESOURCES.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === undefined ? name : `${name}=${value}`));
  return (
    `${method}\n${lower.get('content-md5') ?? ''}\n${lower.get('content-type') ?? ''}\n` +
    `${date}\n${amz.map((name) => `${name}:${lower.get(name)}\n`).join('')}` +
    `${resourcePath}${sub.length > 0 ? `?${sub.join('&')}` : ''}`
  );
}

/** Base64 HMAC-SHA1, the V2 signature. */
export function signatureV2(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

/** `Authorization: AWS AK:sig` over `headers`, which must already hold `Date`. */
export function authorizationV2(
  keys: KeyPair,
  method: string,
  headers: Readonly<Record<string, string>>,
  resourcePath: string,
  query: readonly QueryPair[],
): string {
  const toSign = stringToSignV2(method, headers, resourcePath, query);
  return `AWS ${keys.accessKeyId}:${signatureV2(keys.secretAccessKey, toSign)}`;
}

/** A V2 presigned GET query: `AWSAccessKeyId`, `Expires` (epoch s), `Signature`. */
export function presignQueryV2(keys: KeyPair, resourcePath: string, expiresAtSec: number) {
  const expires = String(Math.floor(expiresAtSec));
  const signature = signatureV2(
    keys.secretAccessKey,
    stringToSignV2('GET', {}, resourcePath, [], expires),
  );
  return (
    `AWSAccessKeyId=${encodeS3(keys.accessKeyId)}&Expires=${expires}` +
    `&Signature=${encodeS3(signature)}`
  );
}

const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** `yyyymmddThhmmssZ`. */
export function amzDate(nowMs: number): string {
  return new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** What one SigV4 signature covers. */
export interface V4Input {
  method: string;
  /** The path as sent (already encoded). */
  encodedPath: string;
  query: readonly QueryPair[];
  /** Every header to sign (SDK v1 signs all it has, less connection and trace ids). */
  headers: Readonly<Record<string, string>>;
  payloadHash: string;
  amzDate: string;
  region: string;
}

/** The signing key, the scope and the signature of a SigV4 request. */
export interface V4Signature {
  signature: string;
  signedHeaders: string;
  scope: string;
  signingKey: Buffer;
}

/** Computes a SigV4 signature the way AWS4Signer does for S3 (no path normalisation). */
export function signV4(keys: KeyPair, input: V4Input): V4Signature {
  const headers = [...Object.entries(input.headers)]
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .filter(([name]) => name !== 'connection' && name !== 'x-amzn-trace-id')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalQuery = input.query
    .map(([name, value]) => [encodeS3(name), encodeS3(value ?? '')] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonical = [
    input.method,
    input.encodedPath,
    canonicalQuery,
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/s3/aws4_request`;
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${keys.secretAccessKey}`, date), input.region), 's3'),
    'aws4_request',
  );
  const toSign = `AWS4-HMAC-SHA256\n${input.amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  return { signature, signedHeaders, scope, signingKey };
}

/** The Authorization header value of a SigV4 signature. */
export function authorizationV4(keys: KeyPair, signed: V4Signature): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/${signed.scope}, ` +
    `SignedHeaders=${signed.signedHeaders}, Signature=${signed.signature}`
  );
}

/** The V4 presigned query of S3Utils.generatePresignedUrl (host signed, payload unsigned). */
export function presignQueryV4(
  keys: KeyPair,
  target: { method: string; encodedPath: string; host: string; region: string },
  nowMs: number,
  expiresSec: number,
): string {
  const date = amzDate(nowMs);
  const credential = `${keys.accessKeyId}/${date.slice(0, 8)}/${target.region}/s3/aws4_request`;
  const query: QueryPair[] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Date', date],
    ['X-Amz-SignedHeaders', 'host'],
    ['X-Amz-Expires', String(expiresSec)],
    ['X-Amz-Credential', credential],
  ];
  const signed = signV4(keys, {
    ...target,
    query,
    headers: { host: target.host },
    payloadHash: 'UNSIGNED-PAYLOAD',
    amzDate: date,
  });
  return `${renderQuery(query)}&X-Amz-Signature=${signed.signature}`;
}

/** Bytes of the aws-chunked encoding of `length` decoded bytes in `chunkBytes` chunks. */
export function chunkedLength(length: number, chunkBytes = CHUNK_BYTES_V1): number {
  const frame = (n: number) => n.toString(16).length + ';chunk-signature='.length + 64 + 4 + n;
  const full = Math.floor(length / chunkBytes);
  const rest = length % chunkBytes;
  return full * frame(chunkBytes) + (rest > 0 ? frame(rest) : 0) + frame(0);
}

/** What chains the chunk signatures: the seed signature and its key, date and scope. */
export interface ChunkSeed {
  signature: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
}

/** The signature of one chunk, chained from the previous one. */
export function chunkSignature(seed: ChunkSeed, previous: string, chunk: Buffer): string {
  const toSign = [
    'AWS4-HMAC-SHA256-PAYLOAD',
    seed.amzDate,
    seed.scope,
    previous,
    EMPTY_SHA256_HEX,
    sha256Hex(chunk),
  ].join('\n');
  return createHmac('sha256', seed.signingKey).update(toSign).digest('hex');
}

/**
 * Frames a body as signed aws-chunked, holding at most one chunk. `corruptChunk` (0-based)
 * sends that chunk with a signature that does not match, to test the server.
 */
export class ChunkSigner extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private previous: string;
  private index = 0;

  constructor(
    private readonly seed: ChunkSeed,
    private readonly chunkBytes = CHUNK_BYTES_V1,
    private readonly corruptChunk?: number,
  ) {
    super();
    this.previous = seed.signature;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    while (this.pendingBytes >= this.chunkBytes) {
      const all = Buffer.concat(this.pending);
      this.emitChunk(all.subarray(0, this.chunkBytes));
      this.pending = [all.subarray(this.chunkBytes)];
      this.pendingBytes = all.length - this.chunkBytes;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.pendingBytes > 0) this.emitChunk(Buffer.concat(this.pending));
    this.emitChunk(Buffer.alloc(0));
    done();
  }

  private emitChunk(chunk: Buffer): void {
    let signature = chunkSignature(this.seed, this.previous, chunk);
    this.previous = signature;
    if (this.index++ === this.corruptChunk) {
      signature = (signature[0] === '0' ? '1' : '0') + signature.slice(1);
    }
    this.push(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`);
    if (chunk.length > 0) this.push(chunk);
    this.push('\r\n');
  }
}
