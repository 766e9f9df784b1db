/**
 * The condition keys Cairn's bucket policies understand — AWS's global keys that mean
 * something here and S3's own — each with the types that decide which operators may test
 * it, and the policy variables (`${aws:userid}`) built on them. A key outside this list is
 * refused when the policy is set (MalformedPolicy), never silently ignored: a condition on a
 * key nobody supplies would quietly turn an author's Deny into nothing.
 * Pure: the handlers gather a request's values (handlers/policy-context.ts).
 */
import { S3Error } from '../../http/errors.js';

/** The MalformedPolicy error every part of policy parsing throws. */
export function malformedPolicy(detail: string): S3Error {
  return new S3Error('MalformedPolicy', detail);
}

/** `value` as a JSON object (not null, not an array); MalformedPolicy naming `what` if not. */
export function policyObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformedPolicy(`${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** What a key holds: it decides the operators that may test it. */
export type KeyType = 'string' | 'numeric' | 'date' | 'bool' | 'ip' | 'arn';

/** One known key. */
export interface KeySpec {
  readonly types: readonly KeyType[];
  /** A set of values (ForAnyValue:/ForAllValues: test it), not one. */
  readonly multiValued?: true;
}

const STRING: KeySpec = { types: ['string'] };

/**
 * The keys, lower-cased (key names are case-insensitive). aws:username is absent for every
 * Cairn user, as for an AWS account's root user: Cairn's user names are neither unique nor
 * fixed, so a policy keyed on them could be met by renaming oneself. aws:userid and
 * aws:PrincipalAccount are the canonical id; aws:PrincipalArn is arn:aws:iam::<id>:root.
 */
export const CONDITION_KEYS: Readonly<Record<string, KeySpec>> = {
  'aws:currenttime': { types: ['date'] },
  'aws:epochtime': { types: ['date', 'numeric'] },
  'aws:principalaccount': STRING,
  'aws:principalarn': { types: ['arn'] },
  'aws:principaltype': STRING,
  'aws:referer': STRING,
  'aws:securetransport': { types: ['bool'] },
  'aws:sourceip': { types: ['ip'] },
  'aws:useragent': STRING,
  'aws:userid': STRING,
  'aws:username': STRING,
  's3:authtype': STRING,
  's3:delimiter': STRING,
  's3:max-keys': { types: ['numeric'] },
  's3:prefix': STRING,
  's3:requestobjecttagkeys': { types: ['string'], multiValued: true },
  's3:signatureversion': STRING,
  's3:x-amz-acl': STRING,
  's3:x-amz-content-sha256': STRING,
  's3:x-amz-copy-source': STRING,
  's3:x-amz-grant-full-control': STRING,
  's3:x-amz-grant-read': STRING,
  's3:x-amz-grant-read-acp': STRING,
  's3:x-amz-grant-write': STRING,
  's3:x-amz-grant-write-acp': STRING,
  's3:x-amz-metadata-directive': STRING,
  's3:x-amz-server-side-encryption': STRING,
  's3:x-amz-server-side-encryption-aws-kms-key-id': { types: ['arn', 'string'] },
  's3:x-amz-server-side-encryption-customer-algorithm': STRING,
  's3:x-amz-storage-class': STRING,
  's3:x-amz-website-redirect-location': STRING,
};

/** Keys naming one object tag after the slash; the tag's own name keeps its case. */
export const TAG_KEY_PREFIXES = ['s3:existingobjecttag/', 's3:requestobjecttag/'] as const;

/** S3's longest tag key, in characters. */
const TAG_NAME_CHARS_MAX = 128;

/**
 * The facts of a request that conditions test, by key as conditionKeyOf writes it; a key
 * that is absent (or an empty set) is not in the request.
 */
export type ConditionContext = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A key of a policy, recognised: its ConditionContext name and what it holds. */
export interface KnownKey {
  name: string;
  spec: KeySpec;
}

/** The key `raw` names, or undefined when Cairn does not know it. */
export function conditionKeyOf(raw: string): KnownKey | undefined {
  const lower = raw.toLowerCase();
  const spec = Object.hasOwn(CONDITION_KEYS, lower) ? CONDITION_KEYS[lower] : undefined;
  if (spec) return { name: lower, spec };
  const prefix = TAG_KEY_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix === undefined) return undefined;
  const tag = raw.slice(prefix.length);
  if (tag === '' || [...tag].length > TAG_NAME_CHARS_MAX) return undefined;
  return { name: `${prefix}${tag}`, spec: STRING };
}

/** The values of `key` in `context`; undefined when the request has none. */
export function contextValues(
  context: ConditionContext,
  key: string,
): readonly string[] | undefined {
  if (!Object.hasOwn(context, key)) return undefined;
  const value = context[key];
  if (value === undefined) return undefined;
  const values = typeof value === 'string' ? [value] : value;
  return values.length === 0 ? undefined : values;
}

/** One piece of a policy value: its own text, text `${*}` makes literal, or a variable. */
export type TemplatePart = { text: string } | { literal: string } | { variable: string };

/** A policy value that may hold policy variables (`${aws:userid}`), parsed once. */
export interface Template {
  readonly parts: readonly TemplatePart[];
  /** Whether any part is a variable, so the value depends on the request. */
  readonly variable: boolean;
}

const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/**
 * Parses `${…}` policy variables in `value` (policies of Version 2012-10-17 have them; in
 * older ones the text is literal). A variable names a single-valued known key, or is one of
 * `${*}`, `${?}`, `${$}`, which stand for those characters taken literally.
 */
export function parseTemplate(value: string, variables: boolean): Template {
  if (!variables || !value.includes('${')) return { parts: [{ text: value }], variable: false };
  const parts: TemplatePart[] = [];
  let rest = value;
  for (let open = rest.indexOf('${'); open >= 0; open = rest.indexOf('${')) {
    const close = rest.indexOf('}', open);
    if (close < 0) break;
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const name = rest.slice(open + 2, close);
    const escaped = Object.hasOwn(ESCAPES, name) ? ESCAPES[name] : undefined;
    if (escaped !== undefined) parts.push({ literal: escaped });
    else parts.push({ variable: variableKey(name) });
    rest = rest.slice(close + 1);
  }
  if (rest !== '') parts.push({ text: rest });
  return { parts, variable: parts.some((part) => 'variable' in part) };
}

function variableKey(name: string): string {
  const key = conditionKeyOf(name.trim());
  if (!key || key.spec.multiValued) {
    throw malformedPolicy(`Policy has an invalid policy variable: \${${name}}`);
  }
  return key.name;
}

/**
 * The template's parts with every variable replaced by its value in `context` (as literal
 * text); undefined when a variable's key is absent, so the value cannot match.
 */
export function resolveTemplate(
  template: Template,
  context: ConditionContext,
): Array<{ glob: string } | { literal: string }> | undefined {
  const out: Array<{ glob: string } | { literal: string }> = [];
  for (const part of template.parts) {
    if ('text' in part) out.push({ glob: part.text });
    else if ('literal' in part) out.push(part);
    else {
      const values = contextValues(context, part.variable);
      if (values === undefined) return undefined;
      out.push({ literal: values[0]! });
    }
  }
  return out;
}

/** The template as plain text for `context` (for exact comparisons); undefined as above. */
export function templateText(template: Template, context: ConditionContext): string | undefined {
  const parts = resolveTemplate(template, context);
  return parts?.map((part) => ('glob' in part ? part.glob : part.literal)).join('');
}
