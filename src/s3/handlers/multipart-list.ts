/**
 * ListParts and ListMultipartUploads, in S3's XML shapes. Both are ordered range scans:
 * parts by part number under their upload id, uploads by (key, upload id) under the bucket.
 */
import { listUploadsPage, type UploadListPage } from '../../objects/upload-listing.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { checkListPartsKey } from '../multipart-encryption.js';
import { storageClassOf } from '../storage-class.js';
import { listingXml, renderXml } from '../../http/xml.js';
import { readUserById } from '../../../stanchion/reader.js';
import { authorizedBucket } from './access.js';
import { encodeKey } from './list.js';
import { requestedUpload } from './multipart.js';
import { sendXml } from './responses.js';

/** Most parts or uploads one page lists. */
const PAGE_MAX = 1000;

/** A non-negative integer query parameter; InvalidArgument when it is anything else. */
function countParam(ctx: S3Context, name: string, fallback: number): number {
  const raw = ctx.query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within range`, {
      fields: { ArgumentName: name, ArgumentValue: raw },
    });
  }
  return Number(raw);
}

/** encoding-type: absent or url; the encoder to apply to keys. */
function encoderOf(ctx: S3Context): { type?: string; enc: (text: string) => string } {
  const type = ctx.query.get('encoding-type') ?? undefined;
  if (type !== undefined && type !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request');
  }
  return type ? { type, enc: encodeKey } : { enc: (text) => text };
}

/** The Initiator/Owner element of users by id, each looked up once per request. */
function personLookup(
  ctx: S3Context,
): (id: string) => Promise<{ ID: string; DisplayName: string }> {
  const names = new Map<string, Promise<string>>();
  return async (id) => {
    let name = names.get(id);
    if (name === undefined) {
      name = readUserById(ctx.deps.ring, id).then((user) => user?.displayName ?? '');
      names.set(id, name);
    }
    return { ID: id, DisplayName: await name };
  };
}

/** GET /bucket/key?uploadId=X (s3:ListMultipartUploadParts) */
export async function listParts(ctx: S3Context, bucketName: string, key: string) {
  const upload = await requestedUpload(ctx, bucketName, key, 's3:ListMultipartUploadParts');
  checkListPartsKey(ctx, upload);
  const maxParts = Math.min(countParam(ctx, 'max-parts', PAGE_MAX), PAGE_MAX);
  const marker = countParam(ctx, 'part-number-marker', 0);
  const { type, enc } = encoderOf(ctx);
  const found =
    maxParts === 0 ? [] : await ctx.deps.multipart.listParts(upload.uploadId, marker, maxParts + 1);
  const page = found.slice(0, maxParts);
  const person = await personLookup(ctx)(upload.ownerId);
  const body: Record<string, unknown> = {
    Bucket: bucketName,
    Key: enc(key),
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: found.length > maxParts,
    Initiator: person,
    Owner: person,
    StorageClass: storageClassOf(upload),
  };
  if (type) body['EncodingType'] = type;
  if (upload.checksumAlgorithm) {
    body['ChecksumAlgorithm'] = upload.checksumAlgorithm;
    body['ChecksumType'] = upload.checksumType ?? 'COMPOSITE';
  }
  body['Part'] = page.map((part) => {
    const entry: Record<string, unknown> = {
      PartNumber: part.partNumber,
      LastModified: new Date(part.lastModifiedMs).toISOString(),
      ETag: `"${part.etag}"`,
      Size: part.size,
    };
    for (const [alg, value] of Object.entries(part.checksums ?? {})) {
      entry[`Checksum${alg.toUpperCase()}`] = value;
    }
    return entry;
  });
  sendXml(ctx, 200, renderXml('ListPartsResult', body, listingXml(type)));
}

/** GET /bucket?uploads (s3:ListBucketMultipartUploads) */
export async function listMultipartUploads(ctx: S3Context, bucketName: string) {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:ListBucketMultipartUploads');
  const q = ctx.query;
  const { type, enc } = encoderOf(ctx);
  const request = {
    prefix: q.get('prefix') ?? '',
    delimiter: q.get('delimiter') || undefined,
    keyMarker: q.get('key-marker') ?? undefined,
    uploadIdMarker: q.get('upload-id-marker') ?? undefined,
    maxUploads: Math.min(countParam(ctx, 'max-uploads', PAGE_MAX), PAGE_MAX),
  };
  const scan = (o: { after?: Buffer; prefix?: Buffer; limit: number }) =>
    ctx.deps.multipart.scanUploads(bucket.id, o);
  const page = await listUploadsPage(scan, request);
  const body: Record<string, unknown> = {
    Bucket: bucketName,
    KeyMarker: enc(request.keyMarker ?? ''),
    UploadIdMarker: request.uploadIdMarker ?? '',
    ...nextMarkers(page, enc),
    Prefix: enc(request.prefix),
  };
  if (request.delimiter) body['Delimiter'] = enc(request.delimiter);
  body['MaxUploads'] = request.maxUploads;
  if (type) body['EncodingType'] = type;
  body['IsTruncated'] = page.isTruncated;
  Object.assign(body, await uploadEntriesXml(ctx, page, enc));
  sendXml(ctx, 200, renderXml('ListMultipartUploadsResult', body, listingXml(type)));
}

function nextMarkers(page: UploadListPage, enc: (text: string) => string) {
  const last = page.entries.at(-1);
  if (!page.isTruncated || !last) return {};
  if (last.kind === 'prefix') return { NextKeyMarker: enc(last.prefix) };
  return { NextKeyMarker: enc(last.upload.key), NextUploadIdMarker: last.upload.uploadId };
}

async function uploadEntriesXml(ctx: S3Context, page: UploadListPage, enc: (t: string) => string) {
  const personOf = personLookup(ctx);
  const uploads = [];
  const prefixes = [];
  for (const entry of page.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push({ Prefix: enc(entry.prefix) });
      continue;
    }
    const upload = entry.upload;
    const person = await personOf(upload.ownerId);
    uploads.push({
      Key: enc(upload.key),
      UploadId: upload.uploadId,
      Initiator: person,
      Owner: person,
      StorageClass: storageClassOf(upload),
      Initiated: new Date(upload.initiatedMs).toISOString(),
      ...(upload.checksumAlgorithm
        ? {
            ChecksumAlgorithm: upload.checksumAlgorithm,
            ChecksumType: upload.checksumType ?? 'COMPOSITE',
          }
        : {}),
    });
  }
  const out: Record<string, unknown> = {};
  if (uploads.length > 0) out['Upload'] = uploads;
  if (prefixes.length > 0) out['CommonPrefixes'] = prefixes;
  return out;
}
