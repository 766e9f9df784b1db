/**
 * Reading the S3 answers an import needs from its source and target: ListAllMyBuckets,
 * ListBucketResult (V1, with or without encoding-type=url), ListMultipartUploads and
 * error bodies. Pure. Entities are decoded here in one pass (the parser leaves them), so a
 * key holding a literal "&amp;#65;" stays exactly that; values are never trimmed, so a key
 * that starts or ends with a space survives.
 */
import { XMLParser } from 'fast-xml-parser';
import { percentDecode } from '../../auth/request-parts.js';

const REPEATED = new Set(['Bucket', 'Contents', 'Grant', 'Upload', 'CommonPrefixes', 'Tag']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => REPEATED.has(name),
});

/** An XML element as the parser gives it. */
export type XmlNode = Record<string, unknown>;

/** Parses an answer; throws on a DTD (an entity bomb from a hostile peer) or bad XML. */
export function parseXml(text: string): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('XML with a DTD is not accepted');
  return parser.parse(text, true) as XmlNode;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's five entities and numeric character references, once. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name]!;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The decoded text of a child element, or undefined. */
export function textOf(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const value = (node as XmlNode)[name];
  if (typeof value === 'string') return decodeXmlText(value);
  if (typeof value === 'object' && value !== null && '#text' in value) {
    return decodeXmlText(String((value as XmlNode)['#text']));
  }
  return value === undefined ? undefined : '';
}

function children(node: unknown, name: string): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  const value = (node as XmlNode)[name];
  return Array.isArray(value) ? value : [];
}

function root(text: string, name: string): XmlNode {
  const doc = parseXml(text)[name];
  if (typeof doc !== 'object' || doc === null) throw new Error(`expected a ${name} document`);
  return doc as XmlNode;
}

/** An ETag without its quotes. */
export function unquoteEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1');
}

/** ListAllMyBucketsResult: the owner's canonical id and its buckets' names. */
export function parseListBuckets(text: string): { ownerId: string; buckets: string[] } {
  const doc = root(text, 'ListAllMyBucketsResult');
  const buckets = children(doc['Buckets'], 'Bucket').map((b) => textOf(b, 'Name') ?? '');
  return { ownerId: textOf(doc['Owner'], 'ID') ?? '', buckets: buckets.filter(Boolean) };
}

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  ownerId?: string;
}

/** One page of ListObjects (V1). */
export interface ObjectPage {
  objects: ListedObject[];
  truncated: boolean;
  /** Where the next page starts (NextMarker, else the last key). */
  nextMarker?: string;
}

/** ListBucketResult; keys are decoded when the store says it url-encoded them. */
export function parseListObjects(text: string): ObjectPage {
  const doc = root(text, 'ListBucketResult');
  const encoded = textOf(doc, 'EncodingType') === 'url';
  const key = (raw: string) => (encoded ? percentDecode(raw, true) : raw);
  const objects = children(doc, 'Contents').map((c) => {
    const size = Number(textOf(c, 'Size'));
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('a listed Size is not a size');
    const owner = textOf((c as XmlNode)['Owner'], 'ID');
    return {
      key: key(textOf(c, 'Key') ?? ''),
      size,
      etag: unquoteEtag(textOf(c, 'ETag') ?? ''),
      ...(owner ? { ownerId: owner } : {}),
    };
  });
  const truncated = textOf(doc, 'IsTruncated') === 'true';
  const next = textOf(doc, 'NextMarker');
  const nextMarker = next ? key(next) : objects.at(-1)?.key;
  return { objects, truncated, ...(nextMarker !== undefined ? { nextMarker } : {}) };
}

/** The upload ids of ListMultipartUploads entries for exactly `key`. */
export function parseUploadsOf(text: string, key: string): { ids: string[]; truncated: boolean } {
  const doc = root(text, 'ListMultipartUploadsResult');
  const encoded = textOf(doc, 'EncodingType') === 'url';
  const ids = children(doc, 'Upload')
    .filter((u) => {
      const raw = textOf(u, 'Key') ?? '';
      return (encoded ? percentDecode(raw, true) : raw) === key;
    })
    .map((u) => textOf(u, 'UploadId') ?? '');
  return { ids: ids.filter(Boolean), truncated: textOf(doc, 'IsTruncated') === 'true' };
}

/** The tags of a Tagging document, as the x-amz-tagging header carries them. */
export function taggingHeaderOf(text: string): string {
  const doc = root(text, 'Tagging');
  const tagSet = doc['TagSet'];
  const raw = typeof tagSet === 'object' && tagSet !== null ? (tagSet as XmlNode)['Tag'] : [];
  const tags = (Array.isArray(raw) ? raw : [raw]).filter((t) => typeof t === 'object' && t);
  const params = new URLSearchParams();
  for (const tag of tags) params.append(textOf(tag, 'Key') ?? '', textOf(tag, 'Value') ?? '');
  return params.toString();
}

/** Code and message of an S3 error body, when it is one. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const doc = parseXml(text)['Error'];
    return { code: textOf(doc, 'Code'), message: textOf(doc, 'Message') };
  } catch {
    return {};
  }
}

/** UploadId of InitiateMultipartUploadResult; ETag of CompleteMultipartUploadResult. */
export function parseField(text: string, rootName: string, field: string): string {
  const value = textOf(root(text, rootName), field);
  if (!value) throw new Error(`${rootName} has no ${field}`);
  return value;
}
