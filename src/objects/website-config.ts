/**
 * A bucket's static website configuration (PutBucketWebsite), as validated by
 * s3/website-xml.ts and kept in the bucket settings record; the website endpoint
 * (s3/website/) serves by it.
 */

/** Where RedirectAllRequestsTo or a routing rule sends a browser. */
export interface WebsiteRedirect {
  hostName?: string;
  protocol?: 'http' | 'https';
  replaceKeyPrefixWith?: string;
  replaceKeyWith?: string;
  /** A 3XX status other than 300; 301 when absent. */
  httpRedirectCode?: number;
}

/** One routing rule: a redirect taken when its condition (if any) holds. */
export interface WebsiteRoutingRule {
  condition?: {
    keyPrefixEquals?: string;
    /** A 4XX or 5XX status the request would otherwise answer. */
    httpErrorCodeReturnedEquals?: number;
  };
  redirect: WebsiteRedirect;
}

/** The whole configuration: either `redirectAll`, or an index document and its extras. */
export interface WebsiteConfig {
  /** RedirectAllRequestsTo: every request goes to this host (and protocol). */
  redirectAll?: { hostName: string; protocol?: 'http' | 'https' };
  /** IndexDocument Suffix, e.g. 'index.html'. */
  indexSuffix?: string;
  /** ErrorDocument Key. */
  errorKey?: string;
  routingRules?: WebsiteRoutingRule[];
}
