/**
 * The versioning surface every client calls on every bucket. Versioning is never enabled
 * here: GetBucketVersioning answers the never-enabled configuration (or Suspended once a
 * client set that), enabling it answers NotImplemented, and ListObjectVersions lists the
 * current objects as the single "null" version each has — exactly what S3 answers for a
 * bucket that was never versioned. Suspended is accepted as a recorded no-op: a suspended
 * bucket writes null versions in place, which is what every Cairn bucket does.
 */
import { readUserById } from '../../../stanchion/reader.js';
import { readBucketSettings, writeBucketSetting } from '../../objects/bucket-settings.js';
import { listPage, type ListPage } from '../../objects/listing.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { listingXml, parseRequestXml, renderXml } from '../../http/xml.js';
import { authorizedBucket } from './access.js';
import { listingParams } from './list.js';
import { sendEmpty, sendXml } from './responses.js';

const VERSIONING_BYTES_MAX = 16 * 1024;

/** GET /bucket?versioning */
export async function getBucketVersioning(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetBucketVersioning');
  const { versioning } = await readBucketSettings(ctx.deps.ring, bucket.id);
  const body = versioning ? { Status: versioning } : {};
  sendXml(ctx, 200, renderXml('VersioningConfiguration', body));
}

/** PUT /bucket?versioning */
export async function putBucketVersioning(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketVersioning');
  const body = await readSmallBody(ctx, VERSIONING_BYTES_MAX);
  const config = parseRequestXml(body.toString('utf8'))['VersioningConfiguration'];
  if (config === undefined || (config !== '' && typeof config !== 'object')) {
    throw new S3Error('MalformedXML');
  }
  const fields = config === '' ? {} : (config as Record<string, unknown>);
  const status = fields['Status'];
  const mfaDelete = fields['MfaDelete'];
  if (mfaDelete !== undefined && mfaDelete !== 'Disabled') {
    if (mfaDelete !== 'Enabled') throw new S3Error('MalformedXML');
    throw S3Error.notImplemented('MFA delete');
  }
  if (status === 'Enabled') throw S3Error.notImplemented('Enabling bucket versioning');
  if (status !== undefined && status !== 'Suspended') throw new S3Error('MalformedXML');
  if (status === 'Suspended') {
    const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
    await writeBucketSetting(ctx.deps.ring, bucket.id, 'versioning', 'Suspended', write);
  }
  sendEmpty(ctx, 200);
}

/** GET /bucket?versions */
export async function listObjectVersions(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:ListBucketVersions');
  const q = ctx.query;
  const { encodingType, enc, prefix, delimiter, maxKeys } = listingParams(q);
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  checkVersionIdMarker(keyMarker, versionIdMarker);
  const scan = (o: { after?: Buffer; prefix?: Buffer; limit: number }) =>
    ctx.deps.objects.scan(bucket.id, o);
  // Each key has one version, so whatever the version-id marker, listing resumes after
  // the key marker.
  const after = keyMarker === '' ? undefined : keyMarker;
  const page: ListPage =
    maxKeys === 0
      ? { entries: [], isTruncated: false }
      : await listPage(scan, { prefix, delimiter, after, maxKeys });
  const body: Record<string, unknown> = {
    Name: bucketName,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionIdMarker,
  };
  const last = page.entries.at(-1);
  if (page.isTruncated && page.lastKey !== undefined) {
    body['NextKeyMarker'] = enc(page.lastKey);
    if (last?.kind === 'object') body['NextVersionIdMarker'] = 'null';
  }
  body['MaxKeys'] = maxKeys;
  if (delimiter) body['Delimiter'] = enc(delimiter);
  body['IsTruncated'] = page.isTruncated;
  const owner = await readUserById(ctx.deps.ring, bucket.ownerId);
  Object.assign(
    body,
    versionEntries(page, enc, { ID: bucket.ownerId, DisplayName: owner?.displayName ?? '' }),
  );
  if (encodingType) body['EncodingType'] = encodingType;
  sendXml(ctx, 200, renderXml('ListVersionsResult', body, listingXml(encodingType)));
}

function checkVersionIdMarker(keyMarker: string, versionIdMarker: string): void {
  if (versionIdMarker === '') return;
  if (keyMarker === '') {
    throw new S3Error(
      'InvalidArgument',
      'A version-id marker cannot be specified without a key marker.',
    );
  }
  if (versionIdMarker !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified');
  }
}

function versionEntries(page: ListPage, enc: (text: string) => string, owner: object) {
  const versions = [];
  const prefixes = [];
  for (const entry of page.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push({ Prefix: enc(entry.prefix) });
      continue;
    }
    const m = entry.manifest;
    versions.push({
      Key: enc(m.key),
      VersionId: 'null',
      IsLatest: true,
      LastModified: new Date(m.lastModifiedMs).toISOString(),
      ETag: `"${m.etag}"`,
      Size: m.size,
      Owner: owner,
      StorageClass: 'STANDARD',
    });
  }
  const out: Record<string, unknown> = {};
  if (versions.length > 0) out['Version'] = versions;
  if (prefixes.length > 0) out['CommonPrefixes'] = prefixes;
  return out;
}
