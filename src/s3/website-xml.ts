/**
 * The WebsiteConfiguration document of PutBucketWebsite: parsed and validated as AWS does
 * before anything is stored (a wrong shape, an unknown element, a rule without a Redirect:
 * MalformedXML; values AWS refuses: InvalidArgument with AWS's words), and rendered back
 * for GetBucketWebsite.
 */
import type {
  WebsiteConfig,
  WebsiteRedirect,
  WebsiteRoutingRule,
} from '../objects/website-config.js';
import { S3Error } from '../http/errors.js';
import { parseRequestXml, renderXml } from '../http/xml.js';

/** Most routing rules a configuration may hold (AWS: 50). */
export const ROUTING_RULES_MAX = 50;
/** Longest key, prefix or host name a configuration may name, in characters. */
const TEXT_CHARS_MAX = 1024;

/** The redirect codes AWS accepts, although its message says "3XX except 300". */
const REDIRECT_CODES: ReadonlySet<number> = new Set([301, 302, 303, 304, 305, 307, 308]);

type Fields = Record<string, unknown>;

const ALLOWED: Record<string, readonly string[]> = {
  WebsiteConfiguration: ['IndexDocument', 'ErrorDocument', 'RedirectAllRequestsTo', 'RoutingRules'],
  IndexDocument: ['Suffix'],
  ErrorDocument: ['Key'],
  RedirectAllRequestsTo: ['HostName', 'Protocol'],
  RoutingRules: ['RoutingRule'],
  RoutingRule: ['Condition', 'Redirect'],
  Condition: ['KeyPrefixEquals', 'HttpErrorCodeReturnedEquals'],
  Redirect: ['HostName', 'Protocol', 'ReplaceKeyPrefixWith', 'ReplaceKeyWith', 'HttpRedirectCode'],
};

const malformed = (detail?: string) => new S3Error('MalformedXML', detail);
const invalid = (message: string, name: string, value: string) =>
  new S3Error('InvalidArgument', message, {
    fields: { ArgumentName: name, ArgumentValue: value },
  });

/** An element's children, checked against what `name` may hold; '' (empty) is none. */
function element(value: unknown, name: string): Fields {
  if (value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  for (const child of Object.keys(value)) {
    if (!ALLOWED[name]!.includes(child)) throw malformed(`${name} may not hold ${child}.`);
  }
  return value as Fields;
}

/** The text of a child element; undefined if absent; MalformedXML if not text. */
function text(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformed(`${name} must be text.`);
  if (value.length > TEXT_CHARS_MAX) throw invalid(`${name} is too long.`, name, '');
  return value;
}

function protocolOf(fields: Fields): 'http' | 'https' | undefined {
  const protocol = text(fields, 'Protocol');
  if (protocol === undefined) return undefined;
  if (protocol !== 'http' && protocol !== 'https') {
    throw invalid(
      'Invalid protocol, protocol can be http or https. If not defined the protocol will ' +
        'be selected automatically.',
      'Protocol',
      protocol,
    );
  }
  return protocol;
}

/** A host name (with an optional port): no scheme, path or anything a header cannot carry. */
function hostNameOf(fields: Fields): string | undefined {
  const host = text(fields, 'HostName');
  if (host === undefined) return undefined;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) {
    throw invalid('The HostName is not a valid host name.', 'HostName', host);
  }
  return host;
}

/** An HTTP status of the given class(es), as AWS checks it. */
function statusOf(value: string | undefined, name: string, valid: (code: number) => boolean) {
  if (value === undefined) return undefined;
  const code = /^\d{3}$/.test(value) ? Number(value) : NaN;
  if (valid(code)) return code;
  const message =
    name === 'HttpRedirectCode'
      ? `The provided HTTP redirect code (${value}) is not valid. Valid codes are 3XX except 300.`
      : `The provided HTTP error code (${value}) is not valid. Valid codes are 4XX or 5XX.`;
  throw invalid(message, name, value);
}

function redirectOf(value: unknown): WebsiteRedirect {
  const fields = element(value, 'Redirect');
  const redirect: WebsiteRedirect = {};
  const hostName = hostNameOf(fields);
  if (hostName !== undefined) redirect.hostName = hostName;
  const protocol = protocolOf(fields);
  if (protocol !== undefined) redirect.protocol = protocol;
  const prefix = text(fields, 'ReplaceKeyPrefixWith');
  const key = text(fields, 'ReplaceKeyWith');
  if (prefix !== undefined && key !== undefined) {
    throw invalid(
      'You can only define ReplaceKeyPrefix or ReplaceKey but not both.',
      'ReplaceKeyWith',
      key,
    );
  }
  if (prefix !== undefined) redirect.replaceKeyPrefixWith = prefix;
  if (key !== undefined) redirect.replaceKeyWith = key;
  const code = statusOf(text(fields, 'HttpRedirectCode'), 'HttpRedirectCode', (c) => {
    return REDIRECT_CODES.has(c);
  });
  if (code !== undefined) redirect.httpRedirectCode = code;
  if (Object.keys(redirect).length === 0) {
    throw invalid('The Redirect element cannot be empty.', 'Redirect', '');
  }
  return redirect;
}

function conditionOf(value: unknown): WebsiteRoutingRule['condition'] {
  const fields = element(value, 'Condition');
  const prefix = text(fields, 'KeyPrefixEquals');
  const code = statusOf(
    text(fields, 'HttpErrorCodeReturnedEquals'),
    'HttpErrorCodeReturnedEquals',
    (c) => {
      return c >= 400 && c <= 599;
    },
  );
  if (prefix === undefined && code === undefined) {
    throw invalid(
      'Condition cannot be empty. To redirect all requests without a condition, the ' +
        "condition element shouldn't be present.",
      'Condition',
      '',
    );
  }
  return {
    ...(prefix !== undefined ? { keyPrefixEquals: prefix } : {}),
    ...(code !== undefined ? { httpErrorCodeReturnedEquals: code } : {}),
  };
}

function ruleOf(value: unknown): WebsiteRoutingRule {
  const fields = element(value, 'RoutingRule');
  if (fields['Redirect'] === undefined) throw malformed('A RoutingRule needs a Redirect.');
  const redirect = redirectOf(fields['Redirect']);
  if (fields['Condition'] === undefined) return { redirect };
  return { condition: conditionOf(fields['Condition']), redirect };
}

function rulesOf(value: unknown): WebsiteRoutingRule[] {
  const raw = element(value, 'RoutingRules')['RoutingRule'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > ROUTING_RULES_MAX) {
    throw invalid(
      `A website configuration may hold at most ${ROUTING_RULES_MAX} routing rules.`,
      'RoutingRules',
      String(list.length),
    );
  }
  return list.map(ruleOf);
}

function redirectAllOf(value: unknown): NonNullable<WebsiteConfig['redirectAll']> {
  const fields = element(value, 'RedirectAllRequestsTo');
  const hostName = hostNameOf(fields);
  if (hostName === undefined) throw malformed('RedirectAllRequestsTo needs a HostName.');
  const protocol = protocolOf(fields);
  return { hostName, ...(protocol !== undefined ? { protocol } : {}) };
}

/** The website configuration a document asks for; throws as AWS would. */
export function parseWebsiteXml(body: string): WebsiteConfig {
  const doc = parseRequestXml(body);
  if (doc['WebsiteConfiguration'] === undefined) throw malformed();
  const root = element(doc['WebsiteConfiguration'], 'WebsiteConfiguration');
  if (root['RedirectAllRequestsTo'] !== undefined) {
    if (Object.keys(root).length > 1) {
      throw invalid(
        'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.',
        'RedirectAllRequestsTo',
        '',
      );
    }
    return { redirectAll: redirectAllOf(root['RedirectAllRequestsTo']) };
  }
  const suffix = text(element(root['IndexDocument'] ?? '', 'IndexDocument'), 'Suffix');
  if (suffix === undefined) {
    throw invalid(
      'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty',
      'IndexDocument',
      '',
    );
  }
  if (suffix === '' || suffix.includes('/')) {
    throw invalid('The IndexDocument Suffix is not well formed', 'IndexDocument', suffix);
  }
  const config: WebsiteConfig = { indexSuffix: suffix };
  if (root['ErrorDocument'] !== undefined) {
    const key = text(element(root['ErrorDocument'], 'ErrorDocument'), 'Key');
    if (key === undefined || key === '') {
      throw invalid('The ErrorDocument Key is not well formed', 'ErrorDocument', '');
    }
    config.errorKey = key;
  }
  if (root['RoutingRules'] !== undefined) {
    const rules = rulesOf(root['RoutingRules']);
    if (rules.length > 0) config.routingRules = rules;
  }
  return config;
}

function renderRedirect(redirect: WebsiteRedirect): Fields {
  const out: Fields = {};
  if (redirect.hostName !== undefined) out['HostName'] = redirect.hostName;
  if (redirect.protocol !== undefined) out['Protocol'] = redirect.protocol;
  if (redirect.replaceKeyPrefixWith !== undefined) {
    out['ReplaceKeyPrefixWith'] = redirect.replaceKeyPrefixWith;
  }
  if (redirect.replaceKeyWith !== undefined) out['ReplaceKeyWith'] = redirect.replaceKeyWith;
  if (redirect.httpRedirectCode !== undefined) {
    out['HttpRedirectCode'] = String(redirect.httpRedirectCode);
  }
  return out;
}

function renderRule(rule: WebsiteRoutingRule): Fields {
  const out: Fields = {};
  const condition = rule.condition;
  if (condition) {
    const fields: Fields = {};
    if (condition.keyPrefixEquals !== undefined) {
      fields['KeyPrefixEquals'] = condition.keyPrefixEquals;
    }
    if (condition.httpErrorCodeReturnedEquals !== undefined) {
      fields['HttpErrorCodeReturnedEquals'] = String(condition.httpErrorCodeReturnedEquals);
    }
    out['Condition'] = fields;
  }
  out['Redirect'] = renderRedirect(rule.redirect);
  return out;
}

/** The GetBucketWebsite answer for a stored configuration. */
export function renderWebsiteXml(config: WebsiteConfig): string {
  const body: Fields = {};
  if (config.redirectAll) {
    body['RedirectAllRequestsTo'] = renderRedirect(config.redirectAll);
  }
  if (config.indexSuffix !== undefined) body['IndexDocument'] = { Suffix: config.indexSuffix };
  if (config.errorKey !== undefined) body['ErrorDocument'] = { Key: config.errorKey };
  if (config.routingRules) {
    body['RoutingRules'] = { RoutingRule: config.routingRules.map(renderRule) };
  }
  return renderXml('WebsiteConfiguration', body);
}
