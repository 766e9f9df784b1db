/**
 * GetObjectAttributes (GET /bucket/key?attributes): what HEAD tells and more, in XML, for
 * the attributes x-amz-object-attributes names (ETag, Checksum, ObjectParts, StorageClass,
 * ObjectSize). ObjectParts pages a multipart object's parts (x-amz-max-parts,
 * x-amz-part-number-marker) from the sizes and checksums its manifest (or its part-list
 * chunks) keeps, so it reads no block; an object from one PUT has no parts to list and gets
 * no ObjectParts.
 */
import { versionIdHeader } from '../object-version.js';
import {
  checksumTypeOf,
  isMultipart,
  type Manifest,
  type ManifestPart,
} from '../../objects/manifest.js';
import { allParts } from '../../objects/manifest-parts.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { storageClassOf } from '../storage-class.js';
import { renderXml } from '../../http/xml.js';
import { authorizedObject, existingBucket } from './access.js';
import { CUSTOMER_PREFIX } from '../sse-request.js';
import { keyForRead } from '../object-encryption.js';
import { sendXml } from './responses.js';

/** The attributes GetObjectAttributes can return. */
export const OBJECT_ATTRIBUTES = [
  'ETag',
  'Checksum',
  'ObjectParts',
  'StorageClass',
  'ObjectSize',
] as const;

/** One attribute name. */
export type ObjectAttribute = (typeof OBJECT_ATTRIBUTES)[number];

/** Most parts one answer lists (S3's default and limit). */
export const ATTRIBUTE_PARTS_MAX = 1000;

/** The attributes a request names; InvalidArgument when none or an unknown one. */
export function parseObjectAttributes(raw: string | undefined): Set<ObjectAttribute> {
  const names = (raw ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new S3Error(
      'InvalidArgument',
      'The x-amz-object-attributes header specifying the attributes to be retrieved is ' +
        'either missing or empty',
      { fields: { ArgumentName: 'x-amz-object-attributes', ArgumentValue: raw ?? '' } },
    );
  }
  const known = OBJECT_ATTRIBUTES as readonly string[];
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', {
      fields: { ArgumentName: 'x-amz-object-attributes', ArgumentValue: unknown },
    });
  }
  return new Set(names as ObjectAttribute[]);
}

/** A page of a multipart object's parts, after part number `marker`, at most `maxParts`. */
export function partsPage(parts: readonly ManifestPart[], marker: number, maxParts: number) {
  const from = parts.findIndex((part) => part.partNumber > marker);
  const rest = from < 0 ? [] : parts.slice(from);
  const page = rest.slice(0, maxParts);
  return { page, isTruncated: rest.length > page.length };
}

function checksumElements(checksums: Record<string, string> | undefined) {
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(checksums ?? {})) {
    out[`Checksum${alg.toUpperCase()}`] = value;
  }
  return out;
}

/** The ObjectParts element of a multipart object. */
export function objectPartsXml(manifest: Manifest, marker: number, maxParts: number) {
  const parts = manifest.parts ?? [];
  const { page, isTruncated } = partsPage(parts, marker, maxParts);
  return {
    PartsCount: parts.length,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: isTruncated,
    Part: page.map((part) => ({
      PartNumber: part.partNumber,
      Size: part.size,
      ...checksumElements(part.checksums),
    })),
  };
}

type Headers = S3Context['request']['headers'];

function one(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A non-negative integer header; InvalidArgument when it is anything else. */
function countHeader(headers: Headers, name: string, fallback: number): number {
  const raw = one(headers, name)?.trim();
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new S3Error('InvalidArgument', `${name} must be a non-negative integer.`, {
      fields: { ArgumentName: name, ArgumentValue: raw },
    });
  }
  return Number(raw);
}

/** GET /bucket/key?attributes (s3:GetObjectAttributes, which the object's ACL governs) */
export async function getObjectAttributes(ctx: S3Context, bucketName: string, key: string) {
  const headers = ctx.request.headers;
  const wanted = parseObjectAttributes(one(headers, 'x-amz-object-attributes'));
  const maxParts = Math.min(
    countHeader(headers, 'x-amz-max-parts', ATTRIBUTE_PARTS_MAX),
    ATTRIBUTE_PARTS_MAX,
  );
  const marker = countHeader(headers, 'x-amz-part-number-marker', 0);
  const bucket = await existingBucket(ctx, bucketName);
  const versionId = ctx.query.get('versionId');
  const action = 's3:GetObjectAttributes';
  const manifest = await authorizedObject(ctx, bucket, key, action, {}, versionId);
  // An SSE-C object's attributes need its key, as its bytes do (AWS: 400 without, 403 wrong).
  keyForRead(ctx, manifest, CUSTOMER_PREFIX, false);
  ctx.reply.headers(versionIdHeader(manifest));
  const body: Record<string, unknown> = {};
  // S3 gives this ETag without the quotes of the ETag header.
  if (wanted.has('ETag')) body['ETag'] = manifest.etag;
  if (wanted.has('Checksum') && Object.keys(manifest.checksums).length > 0) {
    body['Checksum'] = {
      ...checksumElements(manifest.checksums),
      ChecksumType: checksumTypeOf(manifest),
    };
  }
  if (wanted.has('ObjectParts') && isMultipart(manifest)) {
    // A chunked part list is read whole here: a rare request, and a page is 1,000 parts.
    const parts = await allParts(manifest, ctx.deps.objects.partChunks);
    body['ObjectParts'] = objectPartsXml({ ...manifest, parts }, marker, maxParts);
  }
  if (wanted.has('StorageClass')) body['StorageClass'] = storageClassOf(manifest);
  if (wanted.has('ObjectSize')) body['ObjectSize'] = manifest.size;
  void ctx.reply.header('last-modified', new Date(manifest.lastModifiedMs).toUTCString());
  sendXml(ctx, 200, renderXml('GetObjectAttributesResponse', body));
}
