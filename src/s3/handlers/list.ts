/**
 * ListObjects (V1) and ListObjectsV2 over the bucket's ordered manifest range, with
 * prefix, delimiter, marker / continuation-token / start-after, max-keys and
 * encoding-type=url, in S3's exact XML shapes.
 */
import { userById } from '../../cache/lookups.js';
import { listPage, type ListPage } from '../../objects/listing.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { storageClassOf } from '../storage-class.js';
import { listingXml, renderXml } from '../../http/xml.js';
import { authorizedBucket } from './access.js';
import { sendXml } from './responses.js';

const MAX_KEYS_DEFAULT = 1000;

/** GET /bucket (V1 or, with list-type=2, V2) (s3:ListBucket) */
export async function listObjects(ctx: S3Context, bucketName: string, v2: boolean) {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:ListBucket');
  const q = ctx.query;
  const { encodingType, enc, prefix, delimiter, maxKeys } = listingParams(q);
  // An empty continuation-token starts at the beginning (and is echoed), as in S3.
  const token = v2 ? q.get('continuation-token') : null;
  const after = v2
    ? token
      ? decodeToken(token)
      : (q.get('start-after') ?? undefined)
    : (q.get('marker') ?? undefined);
  const scan = (o: { after?: Buffer; prefix?: Buffer; limit: number }) =>
    ctx.deps.objects.scan(bucket.id, o);
  const page =
    maxKeys === 0
      ? { entries: [], isTruncated: false }
      : await listPage(scan, { prefix, delimiter, after, maxKeys });
  const owner = await userById(ctx.deps, ctx.request, bucket.ownerId);
  const ownerXml = { ID: bucket.ownerId, DisplayName: owner?.displayName ?? '' };
  const fetchOwner = !v2 || q.get('fetch-owner') === 'true';
  // V1 returns Prefix as given even with encoding-type=url (botocore decodes V1's Delimiter,
  // Marker, NextMarker, Key and CommonPrefixes, never its Prefix); V2 encodes it.
  const body: Record<string, unknown> = { Name: bucketName, Prefix: v2 ? enc(prefix) : prefix };
  if (v2) {
    if (token !== null) body['ContinuationToken'] = token;
    const startAfter = q.get('start-after');
    if (startAfter !== null) body['StartAfter'] = enc(startAfter);
    body['KeyCount'] = page.entries.length;
  } else {
    body['Marker'] = enc(q.get('marker') ?? '');
    if (page.isTruncated && delimiter && page.lastKey) body['NextMarker'] = enc(page.lastKey);
  }
  body['MaxKeys'] = maxKeys;
  if (delimiter) body['Delimiter'] = enc(delimiter);
  if (encodingType) body['EncodingType'] = encodingType;
  body['IsTruncated'] = page.isTruncated;
  if (v2 && page.isTruncated && page.lastKey) {
    body['NextContinuationToken'] = encodeToken(page.lastKey);
  }
  Object.assign(body, entriesXml(page, enc, fetchOwner ? ownerXml : undefined));
  sendXml(ctx, 200, renderXml('ListBucketResult', body, listingXml(encodingType)));
}

function entriesXml(page: ListPage, enc: (t: string) => string, owner?: object) {
  const contents = [];
  const prefixes = [];
  for (const entry of page.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push({ Prefix: enc(entry.prefix) });
      continue;
    }
    const m = entry.manifest;
    contents.push({
      Key: enc(m.key),
      LastModified: new Date(m.lastModifiedMs).toISOString(),
      ETag: `"${m.etag}"`,
      Size: m.size,
      ...(owner ? { Owner: owner } : {}),
      StorageClass: storageClassOf(m),
    });
  }
  const out: Record<string, unknown> = {};
  if (contents.length > 0) out['Contents'] = contents;
  if (prefixes.length > 0) out['CommonPrefixes'] = prefixes;
  return out;
}

/** What every listing takes: encoding-type (url or none), prefix, delimiter, max-keys. */
export function listingParams(q: URLSearchParams) {
  const encodingType = q.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request');
  }
  const enc = (text: string) => (encodingType ? encodeKey(text) : text);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  return { encodingType, enc, prefix, delimiter, maxKeys: parseMaxKeys(q.get('max-keys')) };
}

/** The max-keys parameter: 1000 when absent, at most 1000; InvalidArgument if malformed. */
export function parseMaxKeys(raw: string | null): number {
  if (raw === null) return MAX_KEYS_DEFAULT;
  if (!/^\d+$/.test(raw)) {
    throw new S3Error(
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
    );
  }
  return Math.min(Number(raw), MAX_KEYS_DEFAULT);
}

/**
 * encoding-type=url: every byte outside the unreserved set percent-encoded (a space as %20,
 * a plus as %2B), except '/', which S3 leaves as it is in keys and prefixes.
 */
export function encodeKey(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replaceAll('%2F', '/');
}

function encodeToken(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64').toString('utf8');
  if (key === '' || Buffer.from(key, 'utf8').toString('base64') !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect');
  }
  return key;
}
