/**
 * Tag sets of buckets and objects as S3 defines them: the Tagging XML document, the
 * x-amz-tagging header (URL query form) and S3's limits. Every refusal is InvalidTag or
 * MalformedXML, decided before anything is written. Pure.
 */
import type { Tag } from '../objects/bucket-settings.js';
import { S3Error } from '../http/errors.js';
import { parseRequestXml, renderXml } from '../http/xml.js';

/** Most tags an object may carry. */
export const OBJECT_TAGS_MAX = 10;
/** Most tags a bucket may carry. */
export const BUCKET_TAGS_MAX = 50;
/** Longest tag key, in Unicode characters. */
export const TAG_KEY_CHARS_MAX = 128;
/** Longest tag value, in Unicode characters. */
export const TAG_VALUE_CHARS_MAX = 256;

// S3 and the AWS tagging API accept letters, digits, white space and + - = . _ : / @.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function invalidTag(detail: string): S3Error {
  return new S3Error('InvalidTag', detail);
}

/** Throws InvalidTag unless `tags` is a valid set of at most `countMax` tags. */
export function checkTags(tags: readonly Tag[], countMax: number): void {
  if (tags.length > countMax) {
    throw invalidTag(`Object tags cannot be greater than ${countMax}`);
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    const keyChars = [...key].length;
    if (keyChars === 0 || keyChars > TAG_KEY_CHARS_MAX || !TAG_TEXT.test(key)) {
      throw invalidTag('The TagKey you have provided is invalid');
    }
    if ([...value].length > TAG_VALUE_CHARS_MAX || !TAG_TEXT.test(value)) {
      throw invalidTag('The TagValue you have provided is invalid');
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalidTag('Your TagKey cannot be prefixed with aws:');
    }
    if (seen.has(key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(key);
  }
}

/** The tags of a Tagging document; MalformedXML for any other shape. */
export function parseTaggingXml(text: string, countMax: number): Tag[] {
  const tagging = parseRequestXml(text)['Tagging'];
  if (typeof tagging !== 'object' || tagging === null) throw new S3Error('MalformedXML');
  const tagSet = (tagging as Record<string, unknown>)['TagSet'];
  let list: unknown[] = [];
  if (tagSet !== '') {
    const raw = (tagSet as Record<string, unknown> | undefined)?.['Tag'];
    if (typeof tagSet !== 'object' || raw === undefined) throw new S3Error('MalformedXML');
    list = Array.isArray(raw) ? raw : [raw];
  }
  const tags = list.map((entry): Tag => {
    const tag = typeof entry === 'object' ? (entry as Record<string, unknown> | null) : null;
    const key = tag?.['Key'];
    const value = tag?.['Value'] ?? '';
    if (typeof key !== 'string' || typeof value !== 'string') throw new S3Error('MalformedXML');
    return { key, value };
  });
  checkTags(tags, countMax);
  return tags;
}

/** The tags of an x-amz-tagging header (`k1=v1&k2=v2`, URL-encoded). */
export function parseTaggingHeader(header: string): Tag[] {
  const tags: Tag[] = [];
  for (const [key, value] of new URLSearchParams(header)) tags.push({ key, value });
  checkTags(tags, OBJECT_TAGS_MAX);
  return tags;
}

/**
 * Renders a Tagging document, its tags in key order (UTF-8 bytes): a tag set has no order
 * of its own, and S3 stores (as RGW does) and answers tags sorted by key.
 */
export function renderTagging(tags: readonly Tag[]): string {
  const sorted = [...tags].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const tagSet =
    tags.length === 0 ? '' : { Tag: sorted.map((t) => ({ Key: t.key, Value: t.value })) };
  return renderXml('Tagging', { TagSet: tagSet });
}

/** The tags an x-amz-tagging request header asks for; none when it is absent. */
export function taggingOf(headers: Record<string, string | string[] | undefined>): Tag[] {
  const value = headers['x-amz-tagging'];
  if (value === undefined) return [];
  return parseTaggingHeader(Array.isArray(value) ? value.join('&') : value);
}
