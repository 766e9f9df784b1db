/**
 * XML in and out. Responses are built from plain objects; request bodies are parsed only
 * after refusing any DOCTYPE or entity declaration, so no entity is ever expanded.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { S3Error } from './errors.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });

/**
 * Characters XML 1.0 cannot carry, not even as character references (C0 controls other than
 * tab, LF and CR; U+FFFE and U+FFFF). Keys may hold them (S3 allows any UTF-8), but a
 * document holding one, raw or as `&#x1;` as S3 sends it, is refused by every strict parser
 * (expat in botocore, the JS SDK's), so no document of Cairn's ever holds one.
 */
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const XML_FORBIDDEN_ALL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Whether `text` holds a character no XML 1.0 document can carry. */
export function hasXmlForbidden(text: string): boolean {
  return XML_FORBIDDEN.test(text);
}

/** How renderXml treats a text holding a character XML 1.0 forbids. */
export type ForbiddenText =
  /** Percent-encode those characters (an echo of the client's own key, an error). */
  | 'escape'
  /** Refuse the document: a listing, which lists such keys only under encoding-type=url. */
  | 'refuse-listing';

function xmlSafe(value: unknown, forbidden: ForbiddenText): unknown {
  if (typeof value === 'string') {
    if (!XML_FORBIDDEN.test(value)) return value;
    if (forbidden === 'refuse-listing') {
      throw new S3Error(
        'InvalidArgument',
        'The listing holds a key with a character XML 1.0 cannot carry: list with ' +
          'encoding-type=url.',
        { fields: { ArgumentName: 'encoding-type', ArgumentValue: '' } },
      );
    }
    return value.replace(XML_FORBIDDEN_ALL, (char) => encodeURIComponent(char));
  }
  if (Array.isArray(value)) return value.map((item) => xmlSafe(item, forbidden));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) out[name] = xmlSafe(item, forbidden);
    return out;
  }
  return value;
}

/**
 * The render options of a listing: without encoding-type=url, a page holding a key XML 1.0
 * cannot carry is refused; with it, keys are percent-encoded already.
 */
export function listingXml(encodingType: string | undefined): RenderXmlOptions {
  return { forbidden: encodingType === 'url' ? 'escape' : 'refuse-listing' };
}

/** Options of renderXml. */
export interface RenderXmlOptions {
  /** The S3 namespace on the root; false for documents Riak CS clients compare as text. */
  namespace?: boolean;
  /** What a text with a character XML 1.0 forbids does; 'escape' unless said. */
  forbidden?: ForbiddenText;
}

/**
 * Renders `{ Root: {...} }` as an S3 XML document with the S3 namespace on the root, unless
 * `namespace` is false (documents Riak CS clients compare as text, see acl-xml.ts).
 */
export function renderXml(
  rootName: string,
  body: Record<string, unknown>,
  { namespace = true, forbidden = 'escape' }: RenderXmlOptions = {},
): string {
  const safe = xmlSafe(body, forbidden) as Record<string, unknown>;
  const root = namespace ? { '@_xmlns': S3_NAMESPACE, ...safe } : safe;
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [rootName]: root });
}

/** Renders an S3 error body. */
export function renderErrorXml(error: S3Error, resource: string, requestId: string): string {
  const body: Record<string, unknown> = {
    Code: error.code,
    Message: error.message,
    ...error.fields,
    Resource: resource,
    RequestId: requestId,
  };
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ Error: xmlSafe(body, 'escape') })
  );
}

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
});

/** Parses a request body as XML; MalformedXML for anything malformed or with a DTD. */
export function parseRequestXml(text: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new S3Error('MalformedXML', 'DOCTYPE and ENTITY declarations are not allowed.');
  }
  const trimmed = text.trim();
  if (trimmed === '') return {};
  try {
    const parsed = parser.parse(trimmed, true) as Record<string, unknown>;
    return parsed;
  } catch (error) {
    throw new S3Error('MalformedXML', undefined, { cause: error });
  }
}
