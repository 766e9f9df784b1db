/**
 * The facts a bucket policy's conditions test, gathered from one request for one action:
 * AWS's global keys (address, transport, referer, time, who), and S3's keys for the actions
 * AWS documents them on (x-amz-acl and the grants, the copy source, the metadata directive,
 * encryption and storage class on writes; s3:prefix and friends on listings; the object's
 * existing tags and the tags a request asks for). Every value is the client's: conditions
 * only compare them, never compile them.
 */
import type { Tag } from '../../objects/bucket-settings.js';
import type { S3Action } from '../access/authorize.js';
import type { ConditionContext } from '../access/policy.js';
import type { RequestContext } from '../../http/context.js';
import { parseCopySource } from '../copy-source.js';
import { taggingOf } from '../tags.js';

/** What a handler knows beyond the request itself. */
export interface PolicyFacts {
  /** The tags of the object acted on, when it exists (s3:ExistingObjectTag/<key>). */
  existingTags?: readonly Tag[];
  /** The tags a PutObjectTagging body asks for (s3:RequestObjectTag/<key>). */
  requestTags?: readonly Tag[];
  /** s3:prefix instead of the query's: a read of a missing key asks "may you list it?". */
  prefix?: string;
  /** Headers to use instead of the request's (a browser POST's form fields). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
}

const LIST_ACTIONS: ReadonlySet<S3Action> = new Set([
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
]);

const ACL_HEADERS = [
  'x-amz-acl',
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write',
  'x-amz-grant-write-acp',
];

/** Headers whose s3: keys PutObject (and CreateMultipartUpload, UploadPart…) carries. */
const PUT_HEADERS = [
  ...ACL_HEADERS,
  'x-amz-metadata-directive',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
];

/** Actions s3:ExistingObjectTag applies to, as AWS lists them. */
const EXISTING_TAG_ACTIONS: ReadonlySet<S3Action> = new Set([
  's3:GetObject',
  's3:GetObjectAcl',
  's3:GetObjectTagging',
  's3:PutObjectAcl',
  's3:PutObjectTagging',
  's3:DeleteObjectTagging',
  's3:GetObjectVersion',
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionTagging',
  's3:PutObjectVersionAcl',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectVersionTagging',
]);

type Writable = Record<string, string | string[]>;
type Headers = NonNullable<PolicyFacts['headers']>;

function headerOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The facts policy conditions test, for one request and action. */
export function conditionContextOf(
  ctx: RequestContext,
  action: S3Action,
  facts: PolicyFacts = {},
): ConditionContext {
  const headers = facts.headers ?? ctx.request.headers;
  const context: Writable = {};
  const set = (key: string, value: string | null | undefined) => {
    if (value !== undefined && value !== null) context[key] = value;
  };
  globalKeys(ctx, set);
  set('aws:referer', headerOf(headers, 'referer'));
  set('aws:useragent', headerOf(headers, 'user-agent'));
  set('s3:x-amz-content-sha256', headerOf(headers, 'x-amz-content-sha256'));
  if (action === 's3:PutObject') {
    for (const name of PUT_HEADERS) set(`s3:${name}`, headerOf(headers, name));
    const source = headerOf(headers, 'x-amz-copy-source');
    if (source !== undefined) {
      // Normalised, so `/b/k` and `b/%6B` cannot slip past a pattern written as `b/k`.
      const { bucket, key } = parseCopySource(source);
      set('s3:x-amz-copy-source', `${bucket}/${key}`);
    }
    requestTagKeys(context, taggingOf(headers));
  }
  if (action === 's3:PutObjectAcl' || action === 's3:PutBucketAcl') {
    for (const name of ACL_HEADERS) set(`s3:${name}`, headerOf(headers, name));
  }
  if (action === 's3:PutObjectTagging' && facts.requestTags) {
    requestTagKeys(context, facts.requestTags);
  }
  if (EXISTING_TAG_ACTIONS.has(action) && facts.existingTags) {
    for (const tag of facts.existingTags) context[`s3:existingobjecttag/${tag.key}`] = tag.value;
  }
  if (LIST_ACTIONS.has(action)) {
    // A listing without a prefix lists from the root: its prefix is "" (as in AWS).
    set('s3:prefix', facts.prefix ?? ctx.query.get('prefix') ?? '');
    set('s3:delimiter', ctx.query.get('delimiter'));
    set('s3:max-keys', ctx.query.get('max-keys'));
  }
  return context;
}

function requestTagKeys(context: Writable, tags: readonly Tag[]): void {
  for (const tag of tags) context[`s3:requestobjecttag/${tag.key}`] = tag.value;
  context['s3:requestobjecttagkeys'] = tags.map((tag) => tag.key);
}

/** AWS's global keys: where from, over what, when, who, and how the request was signed. */
function globalKeys(
  ctx: RequestContext,
  set: (key: string, value: string | undefined) => void,
): void {
  const nowMs = ctx.deps.clock();
  set('aws:sourceip', ctx.request.ip);
  set('aws:securetransport', ctx.request.protocol === 'https' ? 'true' : 'false');
  set('aws:currenttime', new Date(nowMs).toISOString());
  set('aws:epochtime', String(Math.floor(nowMs / 1000)));
  const id = ctx.user?.id;
  set('aws:principaltype', id === undefined ? 'Anonymous' : 'Account');
  if (id === undefined) return;
  set('aws:userid', id);
  set('aws:principalaccount', id);
  set('aws:principalarn', `arn:aws:iam::${id}:root`);
  const auth = ctx.request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256')) {
    set('s3:authtype', 'REST-HEADER');
    set('s3:signatureversion', 'AWS4-HMAC-SHA256');
  } else if (typeof auth === 'string' && auth.startsWith('AWS ')) {
    set('s3:authtype', 'REST-HEADER');
    set('s3:signatureversion', 'AWS');
  } else if (ctx.query.has('X-Amz-Algorithm')) {
    set('s3:authtype', 'REST-QUERY-STRING');
    set('s3:signatureversion', 'AWS4-HMAC-SHA256');
  } else if (ctx.query.has('Signature')) {
    set('s3:authtype', 'REST-QUERY-STRING');
    set('s3:signatureversion', 'AWS');
  } else if (ctx.request.method === 'POST') {
    set('s3:authtype', 'POST');
  }
}
