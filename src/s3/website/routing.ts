/**
 * The pure rules of a website endpoint: which key a path names (with the index document),
 * which routing rule a request meets, and where a redirect sends the browser. No I/O: the
 * endpoint (serve.ts) reads objects and answers.
 */
import type {
  WebsiteConfig,
  WebsiteRedirect,
  WebsiteRoutingRule,
} from '../../objects/website-config.js';

/** What a redirect needs to know of the request it answers. */
export interface WebsiteRequest {
  /** 'http' or 'https', as the browser reached this endpoint. */
  protocol: 'http' | 'https';
  /** The Host the browser sent (with its port, if any). */
  host: string;
}

/** A redirect answer: its status and Location. */
export interface WebsiteRedirectAnswer {
  status: number;
  location: string;
}

/** The key a decoded request path names, before any index document: no leading '/'. */
export function websiteKeyOf(path: string): string {
  return path.replace(/^\/+/, '');
}

/** The object a key is served from: the index document under a "folder" (or the root). */
export function indexedKey(key: string, indexSuffix: string): string {
  return key === '' || key.endsWith('/') ? key + indexSuffix : key;
}

/**
 * The first rule `key` meets, in the order given. Without `errorStatus` (before the
 * object is looked up) only rules without an error condition count; with it (the status
 * the request would answer) only rules whose error condition names that status, as AWS.
 */
export function matchRoutingRule(
  rules: readonly WebsiteRoutingRule[] | undefined,
  key: string,
  errorStatus?: number,
): WebsiteRoutingRule | undefined {
  return rules?.find((rule) => {
    const condition = rule.condition;
    const wantedStatus = condition?.httpErrorCodeReturnedEquals;
    if (errorStatus === undefined ? wantedStatus !== undefined : wantedStatus !== errorStatus) {
      return false;
    }
    const prefix = condition?.keyPrefixEquals;
    return prefix === undefined || key.startsWith(prefix);
  });
}

/** Percent-encodes a key for a URL path, keeping its '/' separators. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function keyAfter(redirect: WebsiteRedirect, key: string, prefix: string | undefined): string {
  if (redirect.replaceKeyWith !== undefined) return redirect.replaceKeyWith;
  if (redirect.replaceKeyPrefixWith !== undefined) {
    return redirect.replaceKeyPrefixWith + key.slice((prefix ?? '').length);
  }
  return key;
}

/** Where a routing rule sends a request for `key`: 301 unless the rule names a code. */
export function ruleRedirect(
  rule: WebsiteRoutingRule,
  key: string,
  request: WebsiteRequest,
): WebsiteRedirectAnswer {
  const { redirect } = rule;
  const protocol = redirect.protocol ?? request.protocol;
  const host = redirect.hostName ?? request.host;
  const target = keyAfter(redirect, key, rule.condition?.keyPrefixEquals);
  return {
    status: redirect.httpRedirectCode ?? 301,
    location: `${protocol}://${host}/${encodeKeyPath(target)}`,
  };
}

/** Where RedirectAllRequestsTo sends a request for `key`: the same path on the other host. */
export function redirectAllTarget(
  redirectAll: NonNullable<WebsiteConfig['redirectAll']>,
  key: string,
  request: WebsiteRequest,
): WebsiteRedirectAnswer {
  const protocol = redirectAll.protocol ?? request.protocol;
  return {
    status: 301,
    location: `${protocol}://${redirectAll.hostName}/${encodeKeyPath(key)}`,
  };
}

/** The bucket a Host of the form <bucket>.<base>[:port] names on the website endpoint. */
export function websiteBucketOf(
  hostHeader: string | undefined,
  base: string | undefined,
): string | undefined {
  if (!base || !hostHeader) return undefined;
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${base.toLowerCase()}`;
  if (!host.endsWith(suffix)) return undefined;
  const bucket = host.slice(0, -suffix.length);
  return bucket === '' ? undefined : bucket;
}
