/**
 * The one place that decides which request headers AWS documents for an operation Cairn
 * does not act on: a table per operation, checked before any handler runs. A header
 * accepted and ignored is the worst kind of bug (an object the client believes encrypted
 * or locked is stored in the clear and deletable), so each listed header answers S3's
 * NotImplemented, or the error AWS gives for its value, and nothing is read or stored.
 * Headers hoisted into a presigned URL's query string (the AWS SDKs move x-amz-* there)
 * count as headers. Every other header AWS documents for the operations Cairn serves is
 * acted on by its handler, or asks for nothing that could be left undone here:
 * x-amz-request-payer (no bucket is Requester Pays, so the owner pays, as S3 does then),
 * x-amz-optional-object-attributes: RestoreStatus (no object is ever archived), and the
 * lock and MFA authorizations on deletes (below). Pure: names and values in, an S3Error or
 * nothing out.
 */
import { S3Error } from '../http/errors.js';

/** The AWS operation names this table knows (CopyObject and UploadPartCopy included). */
export type CheckedOperation =
  | 'PutObject'
  | 'CopyObject'
  | 'PostObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'CreateBucket';

/** A header an operation refuses. */
interface Refusal {
  /** Lower-case header (or POST form field) name; a trailing `*` matches a prefix. */
  header: string;
  /** Refuse only values for which this holds; by default any value is refused. */
  refuses?: (value: string) => boolean;
  /** The error for a refused value; by default NotImplemented naming the header. */
  error?: (value: string) => S3Error;
}

const COPY_SOURCE_SSE_C: Refusal = {
  header: 'x-amz-copy-source-server-side-encryption-customer-*',
};
/** Object lock: mode, retain-until date and legal hold. */
const OBJECT_LOCK: Refusal = { header: 'x-amz-object-lock-*' };
const BYPASS_GOVERNANCE: Refusal = { header: 'x-amz-bypass-governance-retention' };
/** A browser POST's website redirect (a form field) is not stored yet; the other writes are. */
const WEBSITE_REDIRECT: Refusal = { header: 'x-amz-website-redirect-location' };
/** Appending to an object (AWS: directory buckets only). */
const WRITE_OFFSET: Refusal = { header: 'x-amz-write-offset-bytes' };
/**
 * A browser POST stores its object as STANDARD: the form's storage class is not acted on
 * (PutObject, CopyObject and CreateMultipartUpload keep theirs: storage-class.ts), so any
 * other class is refused rather than dropped.
 */
const POST_STORAGE_CLASS: Refusal = {
  header: 'x-amz-storage-class',
  refuses: (value) => value !== 'STANDARD',
};
/** Checksum algorithms AWS added that Cairn cannot compute. */
export const NEWER_CHECKSUM_ALGORITHMS: ReadonlySet<string> = new Set([
  'SHA512',
  'MD5',
  'XXHASH64',
  'XXHASH3',
  'XXHASH128',
]);
// Ignoring one of these would store bytes nobody checked against the client's checksum.
const NEWER_CHECKSUMS: Refusal[] = [...NEWER_CHECKSUM_ALGORITHMS].map((alg) => ({
  header: `x-amz-checksum-${alg.toLowerCase()}`,
}));

/**
 * Object lock's headers are acted on by these writes (handlers/object-lock-write.ts), and
 * a browser POST's lock fields likewise.
 */
const lockable = (refusals: readonly Refusal[]) => refusals.filter((r) => r !== OBJECT_LOCK);

/**
 * SSE-KMS and DSSE-KMS: no key management service here. SSE-S3 (AES256) and SSE-C are
 * served on every write and read (sse-request.ts checks their values). A client that asked
 * for object lock where it is not acted on must never get an object without it either
 * (PutObject, CopyObject, PostObject and CreateMultipartUpload act on it: `lockable`).
 */
const SSE_KMS: Refusal[] = [
  {
    header: 'x-amz-server-side-encryption',
    refuses: (value) => value.trim().toLowerCase().startsWith('aws:kms'),
  },
  { header: 'x-amz-server-side-encryption-aws-kms-key-id' },
  { header: 'x-amz-server-side-encryption-context' },
  // An S3 Bucket Key is a KMS feature (AWS ignores it for SSE-S3); asking for one is KMS.
  {
    header: 'x-amz-server-side-encryption-bucket-key-enabled',
    refuses: (value) => value.trim().toLowerCase() !== 'false',
  },
];

/**
 * A part or a completion takes its encryption from the upload, not from this header: AWS
 * answers 400 InvalidArgument naming it (the aws-sdk-java TransferManager and s3cmd bugs
 * that sent it there met that answer), so a client never believes a part sealed by it.
 */
const SSE_ON_PART: Refusal = {
  header: 'x-amz-server-side-encryption',
  error: (value) =>
    new S3Error(
      'InvalidArgument',
      'x-amz-server-side-encryption header is not supported for this operation.',
      { fields: { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: value } },
    ),
};

/** What CopyObject refuses: a new object's write, less the encryption it serves. */
const COPY_OBJECT: Refusal[] = [...SSE_KMS, OBJECT_LOCK, BYPASS_GOVERNANCE];

/** What PutObject refuses: CopyObject's refusals, and a copy source's key. */
const PUT_OBJECT: Refusal[] = [...COPY_OBJECT, COPY_SOURCE_SSE_C];

const REFUSALS: Record<CheckedOperation, readonly Refusal[]> = {
  PutObject: [...lockable(PUT_OBJECT), WRITE_OFFSET, ...NEWER_CHECKSUMS],
  CopyObject: lockable(COPY_OBJECT),
  // Its object lock fields are acted on (post-object-lock.ts).
  PostObject: [...lockable(PUT_OBJECT), WEBSITE_REDIRECT, POST_STORAGE_CLASS, ...NEWER_CHECKSUMS],
  // SSE-S3 and SSE-C are acted on by multipart uploads too (multipart-encryption.ts).
  CreateMultipartUpload: lockable(PUT_OBJECT),
  UploadPart: [
    SSE_ON_PART,
    ...SSE_KMS,
    COPY_SOURCE_SSE_C,
    OBJECT_LOCK,
    BYPASS_GOVERNANCE,
    ...NEWER_CHECKSUMS,
  ],
  UploadPartCopy: [SSE_ON_PART, ...SSE_KMS, OBJECT_LOCK, BYPASS_GOVERNANCE],
  // If-Match and If-None-Match are acted on (multipart-complete.ts).
  CompleteMultipartUpload: [SSE_ON_PART, { header: 'x-amz-mp-object-size' }, ...NEWER_CHECKSUMS],
  AbortMultipartUpload: [{ header: 'x-amz-if-match-initiated-time' }],
  // SSE-C keys are checked against the upload's (multipart-encryption.ts).
  ListParts: [],
  // SSE-C keys are acted on (object-encryption.ts).
  GetObject: [],
  HeadObject: [],
  // If-Match is served. x-amz-bypass-governance-retention is acted on (object-delete.ts:
  // it lets GOVERNANCE retention yield to a caller allowed to bypass it); x-amz-mfa is
  // accepted: it only authorizes what MFA delete would protect, and nothing here is.
  DeleteObject: [
    { header: 'x-amz-if-match-last-modified-time' },
    { header: 'x-amz-if-match-size' },
  ],
  CreateBucket: [
    // true and false are acted on (bucket.ts); anything else is no answer to act on.
    {
      header: 'x-amz-bucket-object-lock-enabled',
      refuses: (value) => !['true', 'false'].includes(value.trim().toLowerCase()),
      error: () => new S3Error('InvalidArgument', 'Invalid x-amz-bucket-object-lock-enabled'),
    },
    { header: 'x-amz-bucket-namespace', refuses: (value) => value !== 'global' },
  ],
};

function notImplemented(header: string): S3Error {
  return new S3Error('NotImplemented', undefined, { fields: { Header: header } });
}

function matches(refusal: Refusal, name: string): boolean {
  return refusal.header.endsWith('*')
    ? name.startsWith(refusal.header.slice(0, -1))
    : name === refusal.header;
}

/**
 * Throws the error for the first header (or POST form field, or hoisted query parameter)
 * in `entries` that `operation` refuses. Names are compared lower-cased; values as sent.
 */
export function refuseUnsupportedHeaders(
  operation: CheckedOperation,
  entries: Iterable<readonly [name: string, value: string]>,
): void {
  const refusals = REFUSALS[operation];
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    const refusal = refusals.find((candidate) => matches(candidate, name));
    if (!refusal || (refusal.refuses && !refusal.refuses(value))) continue;
    throw refusal.error ? refusal.error(value) : notImplemented(name);
  }
}

/** The name → value pairs of request headers and of x-amz-* query parameters. */
export function requestEntries(
  headers: Record<string, string | string[] | undefined>,
  query: URLSearchParams,
): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) entries.push([name, Array.isArray(value) ? value.join(',') : value]);
  }
  for (const [name, value] of query) {
    if (name.toLowerCase().startsWith('x-amz-')) entries.push([name, value]);
  }
  return entries;
}

/**
 * The operation of the table a parsed operation is (a PUT with x-amz-copy-source is a
 * CopyObject or an UploadPartCopy); undefined when the table has nothing for it.
 */
export function checkedOperationOf(
  name: string,
  hasCopySource: boolean,
): CheckedOperation | undefined {
  if (name === 'PutObject' && hasCopySource) return 'CopyObject';
  if (name === 'UploadPart' && hasCopySource) return 'UploadPartCopy';
  return Object.hasOwn(REFUSALS, name) ? (name as CheckedOperation) : undefined;
}

/**
 * Operations whose handlers run the table after their access check, so that a bucket policy
 * testing `s3:x-amz-server-side-encryption` refuses first, as it would on AWS.
 */
export const REFUSED_AFTER_ACCESS: ReadonlySet<string> = new Set([
  'PutObject',
  'CreateMultipartUpload',
]);

/** Runs the table for a parsed request: its headers and hoisted x-amz-* query parameters. */
export function refuseUnsupportedRequest(
  operationName: string,
  headers: Record<string, string | string[] | undefined>,
  query: URLSearchParams,
): void {
  const operation = checkedOperationOf(operationName, headers['x-amz-copy-source'] !== undefined);
  if (operation) refuseUnsupportedHeaders(operation, requestEntries(headers, query));
}
