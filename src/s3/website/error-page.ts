/**
 * The HTML a website endpoint answers an error with, in AWS's shape (a title, the code,
 * message and request id as a list), never S3's XML; and the x-amz-error-* headers AWS sends
 * beside it. Every value is escaped: a key in a page is the client's own hostile text.
 */
import { STATUS_CODES } from 'node:http';
import type { S3Error } from '../../http/errors.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** "404 Not Found" for 404. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Error'}`;
}

function items(error: S3Error, requestId: string): string {
  const fields: [string, string][] = [
    ['Code', error.code],
    ['Message', error.message],
    ...Object.entries(error.fields),
    ['RequestId', requestId],
    ['HostId', requestId],
  ];
  return fields
    .map(([name, value]) => `<li>${escapeHtml(name)}: ${escapeHtml(value)}</li>`)
    .join('\n');
}

/**
 * The page of an error; `errorDocumentError`, when the bucket's own error document could
 * not be served either, is listed under it as AWS does.
 */
export function renderErrorPage(
  error: S3Error,
  requestId: string,
  errorDocumentError?: S3Error,
): string {
  const title = escapeHtml(statusLine(error.status));
  const custom =
    errorDocumentError === undefined
      ? ''
      : '<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n' +
        `<ul>\n${items(errorDocumentError, requestId)}\n</ul>\n`;
  return (
    '<!DOCTYPE html>\n<html>\n' +
    `<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n` +
    `<h1>${title}</h1>\n<ul>\n${items(error, requestId)}\n</ul>\n${custom}<hr/>\n` +
    '</body>\n</html>\n'
  );
}

/** The x-amz-error-* headers of an error answer (values a header can carry). */
export function errorHeaders(error: S3Error): Record<string, string> {
  const headerSafe = (text: string) => text.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
  const out: Record<string, string> = {
    'x-amz-error-code': error.code,
    'x-amz-error-message': headerSafe(error.message),
  };
  const key = error.fields['Key'];
  if (key !== undefined) out['x-amz-error-detail-key'] = headerSafe(key);
  return out;
}
