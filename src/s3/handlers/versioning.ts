/**
 * The versioning surface: GetBucketVersioning, PutBucketVersioning (Enabled or Suspended,
 * decided by stanchion like every bucket setting, so every front end sees one order and a
 * bucket never goes back to unversioned; MFA delete answers NotImplemented) and
 * ListObjectVersions (objects/version-listing.ts). A bucket set Suspended by a release
 * before versioning kept that in its bucket settings, and still reads it back.
 */
import { readUserById } from '../../../stanchion/reader.js';
import type { BucketVersioning } from '../../../stanchion/core/records.js';
import { readBucketSettings } from '../../objects/bucket-settings.js';
import { s3VersionIdOf } from '../../objects/manifest.js';
import { versionSortKey } from '../../objects/version-keys.js';
import {
  listVersionsPage,
  type VersionMarker,
  type VersionPage,
} from '../../objects/version-listing.js';
import { readSmallBody } from '../../http/body.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { listingXml, parseRequestXml, renderXml } from '../../http/xml.js';
import { checkVersionIdForm } from '../object-version.js';
import { authorizedBucket } from './access.js';
import { listingParams } from './list.js';
import { throwIfRefused } from './refusal.js';
import { sendEmpty, sendXml } from './responses.js';

const VERSIONING_BYTES_MAX = 16 * 1024;

/** GET /bucket?versioning */
export async function getBucketVersioning(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetBucketVersioning');
  const status =
    bucket.versioning ?? (await readBucketSettings(ctx.deps.ring, bucket.id)).versioning;
  const body = status ? { Status: status } : {};
  sendXml(ctx, 200, renderXml('VersioningConfiguration', body));
}

/** PUT /bucket?versioning */
export async function putBucketVersioning(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketVersioning');
  const body = await readSmallBody(ctx, VERSIONING_BYTES_MAX);
  const status = parseVersioningXml(body.toString('utf8'));
  if (status !== undefined) {
    const result = await ctx.deps.stanchion.execute({
      type: 'set-bucket-versioning',
      name: bucket.name,
      bucketId: bucket.id,
      status,
    });
    throwIfRefused(result, bucket.name);
  }
  sendEmpty(ctx, 200);
}

/** The status a VersioningConfiguration asks for (none: no change); MalformedXML if bad. */
export function parseVersioningXml(xml: string): BucketVersioning | undefined {
  const config = parseRequestXml(xml)['VersioningConfiguration'];
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
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended') {
    throw new S3Error('MalformedXML');
  }
  return status;
}

/** GET /bucket?versions */
export async function listObjectVersions(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:ListBucketVersions');
  const q = ctx.query;
  const { encodingType, enc, prefix, delimiter, maxKeys } = listingParams(q);
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  checkVersionIdMarker(keyMarker, versionIdMarker);
  const objects = ctx.deps.objects;
  const marker = await markerOf(ctx, bucket.id, keyMarker, versionIdMarker);
  const page: VersionPage =
    maxKeys === 0
      ? { entries: [], isTruncated: false }
      : await listVersionsPage(
          (o) => objects.versions.scan(bucket.id, o),
          (o) => objects.scanItems(bucket.id, o),
          { prefix, delimiter, maxKeys, ...(marker ? { marker } : {}) },
        );
  const body: Record<string, unknown> = {
    Name: bucketName,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionIdMarker,
  };
  Object.assign(body, nextMarkers(page, enc));
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

/** Where the listing resumes; a version-id marker of a version now gone resumes at its place. */
async function markerOf(
  ctx: S3Context,
  bucketId: string,
  keyMarker: string,
  versionIdMarker: string,
): Promise<VersionMarker | undefined> {
  if (keyMarker === '') return undefined;
  if (versionIdMarker === '') return { key: keyMarker };
  if (versionIdMarker !== 'null') {
    return { key: keyMarker, versionSk: versionSortKey(keyMarker, versionIdMarker) };
  }
  const found = await ctx.deps.objects.versions.get(bucketId, keyMarker, 'null');
  // An unversioned null version sits at the bare key, before the key's version records.
  if (found?.orderId === undefined) return { key: keyMarker, versionSk: Buffer.from(keyMarker) };
  return { key: keyMarker, versionSk: versionSortKey(keyMarker, found.orderId) };
}

function nextMarkers(page: VersionPage, enc: (text: string) => string) {
  const last = page.entries.at(-1);
  if (!page.isTruncated || !last) return {};
  if (last.kind === 'prefix') return { NextKeyMarker: enc(last.prefix) };
  return {
    NextKeyMarker: enc(last.manifest.key),
    NextVersionIdMarker: s3VersionIdOf(last.manifest),
  };
}

function checkVersionIdMarker(keyMarker: string, versionIdMarker: string): void {
  if (versionIdMarker === '') return;
  if (keyMarker === '') {
    throw new S3Error(
      'InvalidArgument',
      'A version-id marker cannot be specified without a key marker.',
    );
  }
  checkVersionIdForm(versionIdMarker);
}

function versionEntries(page: VersionPage, enc: (text: string) => string, owner: object) {
  const versions = [];
  const markers = [];
  const prefixes = [];
  for (const entry of page.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push({ Prefix: enc(entry.prefix) });
      continue;
    }
    const m = entry.manifest;
    const common = {
      Key: enc(m.key),
      VersionId: s3VersionIdOf(m),
      IsLatest: entry.isLatest,
      LastModified: new Date(m.lastModifiedMs).toISOString(),
    };
    if (m.deleteMarker) {
      markers.push({ ...common, Owner: owner });
      continue;
    }
    const storageClass = m.storageClass ?? 'STANDARD';
    versions.push({
      ...common,
      ...{ ETag: `"${m.etag}"`, Size: m.size, Owner: owner, StorageClass: storageClass },
    });
  }
  const out: Record<string, unknown> = {};
  if (versions.length > 0) out['Version'] = versions;
  if (markers.length > 0) out['DeleteMarker'] = markers;
  if (prefixes.length > 0) out['CommonPrefixes'] = prefixes;
  return out;
}
