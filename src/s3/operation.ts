/**
 * Parses every request into a typed S3 operation before any handler runs (as Garage's
 * router does), so handlers switch on a value, and unsupported sub-resources answer
 * NotImplemented honestly instead of falling through to the wrong handler.
 */
import { S3Error } from '../http/errors.js';
import { parseSubresourceOperation, type SubresourceOperation } from './subresource-operation.js';

/** Longest object key S3 accepts, in UTF-8 bytes. */
export const KEY_BYTES_MAX = 1024;

/** Every operation Cairn serves today. */
export type S3Operation =
  | { name: 'ListBuckets' }
  | { name: 'CreateBucket'; bucket: string }
  | { name: 'HeadBucket'; bucket: string }
  | { name: 'DeleteBucket'; bucket: string }
  | { name: 'GetBucketLocation'; bucket: string }
  | { name: 'ListObjects'; bucket: string }
  | { name: 'ListObjectsV2'; bucket: string }
  | { name: 'PutObject'; bucket: string; key: string }
  | { name: 'GetObject'; bucket: string; key: string }
  | { name: 'HeadObject'; bucket: string; key: string }
  | { name: 'DeleteObject'; bucket: string; key: string }
  | { name: 'DeleteObjects'; bucket: string }
  | { name: 'ListMultipartUploads'; bucket: string }
  | { name: 'CreateMultipartUpload'; bucket: string; key: string }
  | { name: 'UploadPart'; bucket: string; key: string }
  | { name: 'CompleteMultipartUpload'; bucket: string; key: string }
  | { name: 'AbortMultipartUpload'; bucket: string; key: string }
  | { name: 'ListParts'; bucket: string; key: string }
  | SubresourceOperation;

/** The parts of a request that decide its operation. */
export interface OperationInput {
  method: string;
  /** The decoded path, e.g. '/bucket/some key'. */
  path: string;
  query: URLSearchParams;
  /** Bucket from a virtual-hosted-style Host header. */
  bucketFromHost?: string;
}

/** Sub-resources that name an S3 feature Cairn does not serve yet. */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'analytics',
  'intelligent-tiering',
  'inventory',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'legal-hold',
  'select',
  'torrent',
  'attributes',
] as const;

/** The operation a request asks for; S3Error for anything malformed or unsupported. */
export function parseOperation(input: OperationInput): S3Operation {
  const { bucket, key } = splitPath(input);
  if (key !== undefined) checkObjectKey(key);
  const subresource = parseSubresourceOperation(input, bucket, key);
  if (subresource) return subresource;
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => input.query.has(name));
  if (unsupported) {
    throw S3Error.notImplemented(
      `The ${unsupported} sub-resource (${input.method} ?${unsupported})`,
    );
  }
  if (bucket === undefined) {
    if (input.method === 'GET') return { name: 'ListBuckets' };
    throw new S3Error('MethodNotAllowed');
  }
  if (key === undefined) return bucketOperation(input, bucket);
  const multipart = multipartOperation(input, bucket, key);
  if (multipart) return multipart;
  switch (input.method) {
    case 'PUT':
      return { name: 'PutObject', bucket, key };
    case 'GET':
      return { name: 'GetObject', bucket, key };
    case 'HEAD':
      return { name: 'HeadObject', bucket, key };
    case 'DELETE':
      return { name: 'DeleteObject', bucket, key };
    case 'POST':
      throw S3Error.notImplemented('POST on an object');
    default:
      throw new S3Error('MethodNotAllowed');
  }
}

function bucketOperation(input: OperationInput, bucket: string): S3Operation {
  switch (input.method) {
    case 'PUT':
      return { name: 'CreateBucket', bucket };
    case 'HEAD':
      return { name: 'HeadBucket', bucket };
    case 'DELETE':
      return { name: 'DeleteBucket', bucket };
    case 'GET':
      if (input.query.has('location')) return { name: 'GetBucketLocation', bucket };
      if (input.query.has('uploads')) return { name: 'ListMultipartUploads', bucket };
      if (input.query.get('list-type') === '2') return { name: 'ListObjectsV2', bucket };
      return { name: 'ListObjects', bucket };
    case 'POST':
      if (input.query.has('delete')) return { name: 'DeleteObjects', bucket };
      throw S3Error.notImplemented('POST on a bucket');
    default:
      throw new S3Error('MethodNotAllowed');
  }
}

/** The multipart operation an object request names by ?uploads or ?uploadId, if any. */
function multipartOperation(
  input: OperationInput,
  bucket: string,
  key: string,
): S3Operation | undefined {
  const q = input.query;
  if (q.has('uploads')) {
    if (input.method === 'POST') return { name: 'CreateMultipartUpload', bucket, key };
    throw new S3Error('MethodNotAllowed');
  }
  if (!q.has('uploadId')) {
    if (input.method === 'PUT' && q.has('partNumber')) {
      throw new S3Error('InvalidRequest', 'A part upload needs an uploadId.');
    }
    return undefined;
  }
  switch (input.method) {
    case 'PUT':
      return { name: 'UploadPart', bucket, key };
    case 'POST':
      return { name: 'CompleteMultipartUpload', bucket, key };
    case 'DELETE':
      return { name: 'AbortMultipartUpload', bucket, key };
    case 'GET':
      return { name: 'ListParts', bucket, key };
    default:
      throw new S3Error('MethodNotAllowed');
  }
}

/** Bucket and key of a path; the key keeps every slash, including leading and doubled. */
function splitPath(input: OperationInput): { bucket?: string; key?: string } {
  const path = input.path;
  if (!path.startsWith('/')) throw new S3Error('InvalidURI');
  if (input.bucketFromHost !== undefined) {
    const key = path.slice(1);
    return { bucket: input.bucketFromHost, key: key === '' ? undefined : key };
  }
  const rest = path.slice(1);
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), key: key === '' ? undefined : key };
}

// C1 control characters (U+0080-U+009F): S3 answers a URI naming a key with one InvalidURI.
const C1_CONTROL = /[\u0080-\u009f]/;

/**
 * Throws unless S3 would take `key` as an object key: KeyTooLongError past 1,024 UTF-8
 * bytes, InvalidURI ("Couldn't parse the specified URI.") with a C1 control character.
 */
export function checkObjectKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > KEY_BYTES_MAX) throw new S3Error('KeyTooLongError');
  if (C1_CONTROL.test(key)) throw new S3Error('InvalidURI');
}

/** Decodes a raw request path; InvalidURI when its percent-encoding is broken. */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new S3Error('InvalidURI');
  }
}
