/**
 * How every Cairn process logs: the pino options of the S3 front end (and the admin API it
 * serves), the storage nodes and the stanchions, in one place, so that no log line at any
 * level carries a credential. It lives in ring/ only because ring/ is the one folder every
 * program may import; nothing in the ring depends on what it hides.
 *
 * Three layers, each catching what the one before cannot:
 * - the request serializer logs a URL with the values of signature query parameters
 *   (presigned SigV2 and SigV4 URLs, session tokens) replaced, and never the headers;
 * - pino's redact paths hide known secret fields (Authorization, session token and cookie
 *   headers; `secret`, `key_secret`, `secretAccessKey`) wherever a caller logs an object;
 * - a last pass over every written line replaces whatever still looks like a signature or
 *   an Authorization value, so an error message that quotes a URL cannot leak one either.
 *
 * It must never log a user's secret key: those are never passed to a logger at all.
 */
import type { LoggerOptions } from 'pino';

/** What a hidden value is replaced with. */
export const REDACTED = '[redacted]';

/** Query parameters whose values are credentials (compared case-insensitively). */
const SECRET_QUERY_NAMES = new Set([
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'signature',
]);

/** Fields hidden wherever they appear in a logged object (one level of nesting). */
const SECRET_FIELDS = ['secret', 'key_secret', 'secretAccessKey', 'cookie'];
const SECRET_HEADERS = ['authorization', 'x-amz-security-token', 'x-cairn-cookie', 'cookie'];

const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `req.headers["${h}"]`]),
];

/**
 * Signature-shaped text anywhere in a line: a signature query parameter's value (up to the
 * next `&`, quote, space or comma) and the signature of an `AWS KEY:SIGNATURE` (SigV2)
 * Authorization value. Fixed patterns, never built from input; each is linear.
 */
const LINE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/((?:X-Amz-)?(?:Signature|Credential|Security-Token)(?:=|%3D))[^&\s"',\\]+/gi, `$1${REDACTED}`],
  [/(\bAWS [A-Za-z0-9]{1,128}:)[A-Za-z0-9+/=]+/g, `$1${REDACTED}`],
];

/** `url` with the values of credential query parameters replaced by [redacted]. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed escape is logged as sent; it names no parameter we hide.
      }
      return eq >= 0 && SECRET_QUERY_NAMES.has(decoded.toLowerCase())
        ? `${name}=${REDACTED}`
        : part;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/** `line` with whatever still looks like a signature or a credential replaced. */
export function redactLine(line: string): string {
  let text = line;
  for (const [pattern, replacement] of LINE_PATTERNS) text = text.replace(pattern, replacement);
  return text;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** What is logged of a request: never its headers, and its URL redacted. */
function requestSerializer(request: LoggedRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url ?? ''),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * The pino options of a Cairn process's logger (fastify's `logger` option takes them as
 * they are): `level`, the request serializer, the redact paths and the last pass.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { req: requestSerializer },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: redactLine },
  };
}
