/**
 * CORS as S3 defines it: the CORSConfiguration document (validated before anything is
 * stored), the first-match rule evaluation for preflight and actual requests, and the
 * Access-Control-* headers a matching rule yields. Pure: no request, no ring.
 */
import type { CorsRule } from '../objects/bucket-settings.js';
import { S3Error } from '../http/errors.js';
import { compileWildcard, wildcardMatch, type WildcardPart } from './wildcard.js';
import { parseRequestXml, renderXml } from '../http/xml.js';

/** Most rules a configuration may hold. */
export const CORS_RULES_MAX = 100;
/** Methods a rule may allow. */
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;

const ID_CHARS_MAX = 255;

function invalid(detail: string): S3Error {
  return new S3Error('InvalidRequest', detail);
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function strings(rule: Record<string, unknown>, name: string): string[] {
  return list(rule[name]).map((value) => {
    if (typeof value !== 'string') throw new S3Error('MalformedXML');
    return value;
  });
}

function wildcards(text: string): number {
  return text.split('*').length - 1;
}

/** The rules of a CORSConfiguration document; MalformedXML or InvalidRequest if bad. */
export function parseCorsXml(text: string): CorsRule[] {
  const config = parseRequestXml(text)['CORSConfiguration'];
  if (typeof config !== 'object' || config === null) throw new S3Error('MalformedXML');
  const raw = list((config as Record<string, unknown>)['CORSRule']);
  if (raw.length === 0) throw new S3Error('MalformedXML');
  if (raw.length > CORS_RULES_MAX) {
    throw invalid(`The CORS configuration may contain at most ${CORS_RULES_MAX} rules.`);
  }
  return raw.map(parseCorsRule);
}

function parseCorsRule(raw: unknown): CorsRule {
  if (typeof raw !== 'object' || raw === null) throw new S3Error('MalformedXML');
  const fields = raw as Record<string, unknown>;
  const allowedOrigins = strings(fields, 'AllowedOrigin');
  const allowedMethods = strings(fields, 'AllowedMethod');
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) {
    throw new S3Error('MalformedXML');
  }
  for (const origin of allowedOrigins) {
    if (wildcards(origin) > 1) {
      throw invalid(`AllowedOrigin "${origin}" can not have more than one wildcard.`);
    }
  }
  for (const method of allowedMethods) {
    if (!(CORS_METHODS as readonly string[]).includes(method)) {
      throw invalid(
        `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`,
      );
    }
  }
  const allowedHeaders = strings(fields, 'AllowedHeader').map((h) => h.toLowerCase());
  for (const header of allowedHeaders) {
    if (wildcards(header) > 1) {
      throw invalid(`AllowedHeader "${header}" can not have more than one wildcard.`);
    }
  }
  const exposeHeaders = strings(fields, 'ExposeHeader');
  for (const header of exposeHeaders) {
    if (header.includes('*')) {
      throw invalid(`ExposeHeader "${header}" contains wildcard. Wildcards are not supported.`);
    }
  }
  const rule: CorsRule = { allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders };
  const id = fields['ID'];
  if (id !== undefined) {
    if (typeof id !== 'string' || [...id].length > ID_CHARS_MAX) throw new S3Error('MalformedXML');
    rule.id = id;
  }
  const maxAge = fields['MaxAgeSeconds'];
  if (maxAge !== undefined) {
    if (typeof maxAge !== 'string' || !/^\d{1,9}$/.test(maxAge)) throw new S3Error('MalformedXML');
    rule.maxAgeSeconds = Number(maxAge);
  }
  return rule;
}

/** Renders a CORSConfiguration document. */
export function renderCors(rules: readonly CorsRule[]): string {
  const CORSRule = rules.map((rule) => ({
    ...(rule.id !== undefined ? { ID: rule.id } : {}),
    AllowedOrigin: rule.allowedOrigins,
    AllowedMethod: rule.allowedMethods,
    ...(rule.allowedHeaders.length > 0 ? { AllowedHeader: rule.allowedHeaders } : {}),
    ...(rule.exposeHeaders.length > 0 ? { ExposeHeader: rule.exposeHeaders } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { MaxAgeSeconds: rule.maxAgeSeconds } : {}),
  }));
  return renderXml('CORSConfiguration', { CORSRule });
}

/**
 * Whether `text` matches a CORS `pattern`: its `*` stands for any run of characters (a rule
 * has at most one), and `?` is only itself, as in S3. Matched by the one wildcard matcher.
 */
export function corsPatternMatches(pattern: string, text: string): boolean {
  const parts: WildcardPart[] = [];
  pattern.split('*').forEach((piece, i) => {
    if (i > 0) parts.push({ glob: '*' });
    parts.push({ literal: piece });
  });
  return wildcardMatch(compileWildcard(parts), text);
}

/** What a CORS request asks for. */
export interface CorsRequest {
  origin: string;
  /** The method of the actual request (Access-Control-Request-Method for a preflight). */
  method: string;
  /** Lower-cased names of Access-Control-Request-Headers (empty for actual requests). */
  headers: readonly string[];
}

/** The first rule allowing the request, as S3 evaluates them (in order). */
export function matchCorsRule(
  rules: readonly CorsRule[],
  request: CorsRequest,
): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((origin) => corsPatternMatches(origin, request.origin)) &&
      rule.allowedMethods.includes(request.method) &&
      request.headers.every((header) =>
        rule.allowedHeaders.some((pattern) => corsPatternMatches(pattern, header)),
      ),
  );
}

/** The Access-Control-Request-Headers of a preflight, lower-cased. */
export function requestedHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/** The Access-Control-* headers answering `request` under the rule it matched. */
export function corsResponseHeaders(
  rule: CorsRule,
  request: CorsRequest,
  preflight: boolean,
): Record<string, string> {
  // A rule open to every origin answers `*` (credentials cannot be allowed then); any other
  // rule echoes the origin and allows credentials, as S3 does.
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : request.origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  if (preflight && request.headers.length > 0) {
    headers['access-control-allow-headers'] = request.headers.join(', ');
  }
  if (rule.exposeHeaders.length > 0) {
    headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  }
  if (rule.maxAgeSeconds !== undefined) {
    headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  }
  return headers;
}
