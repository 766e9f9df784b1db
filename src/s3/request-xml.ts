/**
 * The request bodies of CompleteMultipartUpload and DeleteObjects, parsed into plain values.
 * Unlike the shared parser, this one keeps the whitespace of text (an object key may begin
 * or end with spaces) and decodes only XML's predefined and numeric character references:
 * a DOCTYPE is refused before parsing, so no other entity can exist.
 */
import { XMLParser } from 'fast-xml-parser';
import type { RequestedPart } from '../objects/multipart.js';
import { PART_NUMBER_MAX } from '../objects/multipart.js';
import { S3Error } from '../http/errors.js';

/** Most keys one DeleteObjects request may name. */
export const DELETE_KEYS_MAX = 1000;

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'Part' || name === 'Object',
});

type Node = Record<string, unknown>;

function parseRoot(text: string, rootName: string): Node {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new S3Error('MalformedXML', 'DOCTYPE and ENTITY declarations are not allowed.');
  }
  let doc: Node;
  try {
    doc = parser.parse(text.trim(), true) as Node;
  } catch (error) {
    throw new S3Error('MalformedXML', undefined, { cause: error });
  }
  const root = doc[rootName];
  if (root === undefined) throw new S3Error('MalformedXML', `Expected a ${rootName} element.`);
  return typeof root === 'object' && root !== null ? (root as Node) : {};
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** Decodes XML character references: the five named ones and &#N; / &#xH;. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code > 0x10ffff) throw new S3Error('MalformedXML', `Bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new S3Error('MalformedXML', `Unknown entity ${whole}`);
    return named;
  });
}

/** The text of a child element, decoded; undefined if absent; MalformedXML if not text. */
function textOf(node: Node, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    throw new S3Error('MalformedXML', `${name} must be text.`);
  }
  return decodeXmlText(String(value));
}

function childNodes(node: Node, name: string): Node[] {
  const list = (node[name] ?? []) as unknown[];
  return list.map((item) => {
    if (typeof item !== 'object' || item === null) return {};
    return item as Node;
  });
}

const CHECKSUM_ELEMENTS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;

/** The parts a CompleteMultipartUpload body names, in the order given. */
export function parseCompleteXml(text: string): RequestedPart[] {
  const root = parseRoot(text, 'CompleteMultipartUpload');
  const parts = childNodes(root, 'Part').map((node) => {
    const number = textOf(node, 'PartNumber')?.trim();
    const etag = textOf(node, 'ETag')?.trim();
    if (number === undefined || etag === undefined || !/^\d{1,9}$/.test(number)) {
      throw new S3Error('MalformedXML', 'Each Part needs a PartNumber and an ETag.');
    }
    const partNumber = Number(number);
    checkPartNumber(partNumber);
    const checksums: Record<string, string> = {};
    for (const algorithm of CHECKSUM_ELEMENTS) {
      const value = textOf(node, `Checksum${algorithm}`)?.trim();
      if (value !== undefined) checksums[algorithm.toLowerCase()] = value;
    }
    return { partNumber, etag: etag.replace(/^"|"$/g, ''), checksums };
  });
  if (parts.length === 0) throw new S3Error('MalformedXML', 'You must specify at least one part.');
  return parts;
}

/** InvalidArgument unless `partNumber` is 1 to 10,000. */
export function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > PART_NUMBER_MAX) {
    throw new S3Error(
      'InvalidArgument',
      `Part number must be an integer between 1 and ${PART_NUMBER_MAX}, inclusive`,
      { fields: { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) } },
    );
  }
}

/** One key a DeleteObjects body names. */
export interface DeleteTarget {
  key: string;
  versionId?: string;
  /** The ETag the current version must have (S3's conditional delete), as sent. */
  etag?: string;
  /** Conditions S3 serves for directory buckets only (LastModifiedTime, Size), if named. */
  unsupported?: string;
}

/** The keys of a DeleteObjects body and its Quiet flag; MalformedXML past 1,000 keys. */
export function parseDeleteXml(text: string): { quiet: boolean; objects: DeleteTarget[] } {
  const root = parseRoot(text, 'Delete');
  const quiet = textOf(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const objects = childNodes(root, 'Object').map((node) => {
    const key = textOf(node, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML', 'Each Object needs a Key.');
    const target: DeleteTarget = { key };
    const versionId = textOf(node, 'VersionId')?.trim();
    if (versionId !== undefined) target.versionId = versionId;
    const etag = textOf(node, 'ETag')?.trim();
    if (etag !== undefined) target.etag = etag;
    const unsupported = ['LastModifiedTime', 'Size'].find(
      (name) => textOf(node, name) !== undefined,
    );
    if (unsupported !== undefined) target.unsupported = unsupported;
    return target;
  });
  if (objects.length === 0 || objects.length > DELETE_KEYS_MAX) {
    throw new S3Error(
      'MalformedXML',
      `A Delete request names 1 to ${DELETE_KEYS_MAX} objects; this one names ${objects.length}.`,
    );
  }
  return { quiet, objects };
}
