/**
 * The website endpoint's pure rules: index documents, which routing rule a request meets
 * (before the lookup, or on its error status), where redirects go, and which Host names a
 * website bucket.
 */
import { describe, expect, it } from 'vitest';
import type { WebsiteRoutingRule } from '../../../src/objects/website-config.js';
import {
  indexedKey,
  matchRoutingRule,
  redirectAllTarget,
  ruleRedirect,
  websiteBucketOf,
  websiteKeyOf,
} from '../../../src/s3/website/routing.js';

const REQUEST = { protocol: 'http', host: 'site.web.test:8080' } as const;

const RULES: WebsiteRoutingRule[] = [
  { condition: { keyPrefixEquals: 'docs/' }, redirect: { replaceKeyPrefixWith: 'documents/' } },
  {
    condition: { keyPrefixEquals: 'images/', httpErrorCodeReturnedEquals: 404 },
    redirect: { hostName: 'img.example.com', protocol: 'https', httpRedirectCode: 302 },
  },
  { condition: { httpErrorCodeReturnedEquals: 404 }, redirect: { replaceKeyWith: 'gone.html' } },
];

describe('website routing', () => {
  it('serves the index document for the root and for folders only', () => {
    expect(indexedKey(websiteKeyOf('/'), 'index.html')).toBe('index.html');
    expect(indexedKey(websiteKeyOf('/a/b/'), 'index.html')).toBe('a/b/index.html');
    expect(indexedKey(websiteKeyOf('/a/b'), 'index.html')).toBe('a/b');
    expect(websiteKeyOf('//x')).toBe('x');
  });

  it('matches prefix rules before the lookup and error rules on their status only', () => {
    expect(matchRoutingRule(RULES, 'docs/a.html')).toBe(RULES[0]);
    expect(matchRoutingRule(RULES, 'images/x.png')).toBeUndefined();
    expect(matchRoutingRule(RULES, 'images/x.png', 404)).toBe(RULES[1]);
    expect(matchRoutingRule(RULES, 'other', 404)).toBe(RULES[2]);
    expect(matchRoutingRule(RULES, 'other', 403)).toBeUndefined();
    expect(matchRoutingRule(RULES, 'docs/a', 404)).toBe(RULES[2]);
    expect(matchRoutingRule(undefined, 'x')).toBeUndefined();
    const always: WebsiteRoutingRule = { redirect: { hostName: 'b.com' } };
    expect(matchRoutingRule([always], 'anything')).toBe(always);
    expect(matchRoutingRule([always], 'anything', 404)).toBeUndefined();
  });

  it('builds redirect locations as AWS: prefix or key replaced, host and protocol kept', () => {
    expect(ruleRedirect(RULES[0]!, 'docs/a b.html', REQUEST)).toEqual({
      status: 301,
      location: 'http://site.web.test:8080/documents/a%20b.html',
    });
    expect(ruleRedirect(RULES[1]!, 'images/x.png', REQUEST)).toEqual({
      status: 302,
      location: 'https://img.example.com/images/x.png',
    });
    expect(ruleRedirect(RULES[2]!, 'whatever', REQUEST).location).toBe(
      'http://site.web.test:8080/gone.html',
    );
    expect(
      redirectAllTarget({ hostName: 'example.com' }, 'a/é?#', { ...REQUEST, protocol: 'https' }),
    ).toEqual({ status: 301, location: 'https://example.com/a/%C3%A9%3F%23' });
  });

  it('names a bucket only under the website host base', () => {
    expect(websiteBucketOf('site.web.test:9000', 'web.test')).toBe('site');
    expect(websiteBucketOf('My.Site.WEB.test', 'web.test')).toBe('my.site');
    expect(websiteBucketOf('web.test', 'web.test')).toBeUndefined();
    expect(websiteBucketOf('site.other.test', 'web.test')).toBeUndefined();
    expect(websiteBucketOf('site.web.test', undefined)).toBeUndefined();
    expect(websiteBucketOf(undefined, 'web.test')).toBeUndefined();
  });
});
