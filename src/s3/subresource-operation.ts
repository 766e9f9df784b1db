/**
 * The bucket and object sub-resources Cairn serves beyond plain objects and listings
 * (versioning, tagging, CORS, ACLs, bucket policies, Object Ownership, Block Public Access,
 * the encryption read, lifecycle, website configuration, CORS preflight and browser POST),
 * parsed apart from operation.ts so that each feature's routing stays in one place. It
 * claims only the requests it serves; everything else falls through to parseOperation,
 * whose list of unsupported sub-resources answers NotImplemented (object-level
 * ?publicAccessBlock and the like among them).
 */
import { S3Error } from '../http/errors.js';
import { checkVersionIdForm } from './object-version.js';

/** The operations parsed here. */
export type SubresourceOperation =
  | { name: 'GetBucketVersioning'; bucket: string }
  | { name: 'PutBucketVersioning'; bucket: string }
  | { name: 'ListObjectVersions'; bucket: string }
  | { name: 'GetBucketTagging'; bucket: string }
  | { name: 'PutBucketTagging'; bucket: string }
  | { name: 'DeleteBucketTagging'; bucket: string }
  | { name: 'GetObjectTagging'; bucket: string; key: string }
  | { name: 'PutObjectTagging'; bucket: string; key: string }
  | { name: 'DeleteObjectTagging'; bucket: string; key: string }
  | { name: 'GetObjectTorrent'; bucket: string; key: string }
  | { name: 'GetBucketCors'; bucket: string }
  | { name: 'PutBucketCors'; bucket: string }
  | { name: 'DeleteBucketCors'; bucket: string }
  | { name: 'GetBucketEncryption'; bucket: string }
  | { name: 'GetBucketLifecycle'; bucket: string }
  | { name: 'PutBucketLifecycle'; bucket: string }
  | { name: 'DeleteBucketLifecycle'; bucket: string }
  | { name: 'PutBucketEncryption'; bucket: string }
  | { name: 'DeleteBucketEncryption'; bucket: string }
  | { name: 'GetBucketWebsite'; bucket: string }
  | { name: 'PutBucketWebsite'; bucket: string }
  | { name: 'DeleteBucketWebsite'; bucket: string }
  | { name: 'GetBucketAcl'; bucket: string }
  | { name: 'PutBucketAcl'; bucket: string }
  | { name: 'GetObjectAcl'; bucket: string; key: string }
  | { name: 'PutObjectAcl'; bucket: string; key: string }
  | { name: 'GetObjectAttributes'; bucket: string; key: string }
  | { name: 'GetBucketPolicy'; bucket: string }
  | { name: 'PutBucketPolicy'; bucket: string }
  | { name: 'DeleteBucketPolicy'; bucket: string }
  | { name: 'GetBucketOwnershipControls'; bucket: string }
  | { name: 'PutBucketOwnershipControls'; bucket: string }
  | { name: 'DeleteBucketOwnershipControls'; bucket: string }
  | { name: 'GetPublicAccessBlock'; bucket: string }
  | { name: 'PutPublicAccessBlock'; bucket: string }
  | { name: 'DeletePublicAccessBlock'; bucket: string }
  | { name: 'GetBucketPolicyStatus'; bucket: string }
  | { name: 'CorsPreflight'; bucket: string; key?: string }
  | { name: 'PostObject'; bucket: string }
  | { name: 'GetObjectLockConfiguration'; bucket: string }
  | { name: 'PutObjectLockConfiguration'; bucket: string }
  | { name: 'GetObjectRetention'; bucket: string; key: string }
  | { name: 'PutObjectRetention'; bucket: string; key: string }
  | { name: 'GetObjectLegalHold'; bucket: string; key: string }
  | { name: 'PutObjectLegalHold'; bucket: string; key: string };

/** What the parser needs of a request. */
export interface SubresourceInput {
  method: string;
  query: URLSearchParams;
}

type Method = 'GET' | 'PUT' | 'DELETE';
type Names = Partial<Record<Method, SubresourceOperation['name']>>;

const BUCKET_SUBRESOURCES: Record<string, Names> = {
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  versions: { GET: 'ListObjectVersions' },
  'object-lock': { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' },
  cors: { GET: 'GetBucketCors', PUT: 'PutBucketCors', DELETE: 'DeleteBucketCors' },
  encryption: {
    GET: 'GetBucketEncryption',
    PUT: 'PutBucketEncryption',
    DELETE: 'DeleteBucketEncryption',
  },
  lifecycle: {
    GET: 'GetBucketLifecycle',
    PUT: 'PutBucketLifecycle',
    DELETE: 'DeleteBucketLifecycle',
  },
  website: { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' },
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  ownershipControls: {
    GET: 'GetBucketOwnershipControls',
    PUT: 'PutBucketOwnershipControls',
    DELETE: 'DeleteBucketOwnershipControls',
  },
  publicAccessBlock: {
    GET: 'GetPublicAccessBlock',
    PUT: 'PutPublicAccessBlock',
    DELETE: 'DeletePublicAccessBlock',
  },
  policyStatus: { GET: 'GetBucketPolicyStatus' },
};

const OBJECT_SUBRESOURCES: Record<string, Names> = {
  tagging: { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' },
  acl: { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' },
  torrent: { GET: 'GetObjectTorrent' },
  attributes: { GET: 'GetObjectAttributes' },
  retention: { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' },
  'legal-hold': { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' },
};

/**
 * The operation of a request on one of these sub-resources, or undefined to let the caller
 * parse it. Throws MethodNotAllowed for a method the sub-resource does not have.
 */
export function parseSubresourceOperation(
  input: SubresourceInput,
  bucket: string | undefined,
  key: string | undefined,
): SubresourceOperation | undefined {
  if (bucket === undefined) return undefined;
  if (input.method === 'OPTIONS') {
    return key === undefined
      ? { name: 'CorsPreflight', bucket }
      : { name: 'CorsPreflight', bucket, key };
  }
  if (key !== undefined) checkVersionId(input.query);
  if (key === undefined && input.method === 'POST' && [...input.query.keys()].length === 0) {
    return { name: 'PostObject', bucket };
  }
  const table = key === undefined ? BUCKET_SUBRESOURCES : OBJECT_SUBRESOURCES;
  const sub = Object.keys(table).find((name) => input.query.has(name));
  if (sub === undefined) return undefined;
  const name = table[sub]![input.method as Method];
  if (name === undefined) {
    throw new S3Error('MethodNotAllowed');
  }
  return { name, bucket, ...(key === undefined ? {} : { key }) } as SubresourceOperation;
}

/** A version id of the wrong form is refused before anything acts on the object. */
function checkVersionId(query: URLSearchParams): void {
  const versionId = query.get('versionId');
  if (versionId !== null) checkVersionIdForm(versionId);
}
