/**
 * XML in and out. Responses are built from plain objects; request bodies are parsed only
 * after refusing any DOCTYPE or entity declaration, so no entity is ever expanded.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { S3Error } from './errors.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });

/**
 * Renders `{ Root: {...} }` as an S3 XML document with the S3 namespace on the root
 * (unless `namespace` is false: a few S3 documents, such as PostResponse, have none).
 */
export function renderXml(
  rootName: string,
  body: Record<string, unknown>,
  options: { namespace?: boolean } = {},
): string {
  const root = options.namespace === false ? body : { '@_xmlns': S3_NAMESPACE, ...body };
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
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ Error: body });
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
