/**
 * Bucket policies: the JSON document parsed into statements once, and evaluated against
 * one request. Parsing refuses everything it does not understand (MalformedPolicy) rather
 * than guess: a statement silently misread could grant what its author meant to deny.
 * Every wildcard (actions, resources, String/ArnLike values) goes through the one linear-time
 * matcher, src/s3/wildcard.ts: a policy is a tenant's input and must not be able to make
 * matching slow for everyone else. The condition operators are in policy-conditions.ts, the
 * keys and policy variables in policy-keys.ts.
 * Pure; the request's facts (who, which action, which resource, its conditions' values) come
 * in as values.
 */
import { compileWildcard, wildcardMatch, WildcardText, type WildcardPattern } from '../wildcard.js';
import {
  CONDITION_VALUES_MAX,
  conditionHolds,
  parseConditions,
  type Condition,
} from './policy-conditions.js';
import {
  malformedPolicy,
  parseTemplate,
  policyObject,
  resolveTemplate,
  type ConditionContext,
  type Template,
} from './policy-keys.js';

export { CONDITION_KEYS, type ConditionContext } from './policy-keys.js';

/**
 * Largest policy S3 accepts, in bytes: 20 KiB, counted as AWS does without the whitespace
 * between JSON tokens, so a pretty-printed policy is not refused for its indentation.
 */
export const POLICY_BYTES_MAX = 20 * 1024;

/** Who a statement names: everyone, or canonical ids. */
interface PrincipalMatcher {
  negated: boolean;
  everyone: boolean;
  ids: ReadonlySet<string>;
}

/** Patterns of actions or resources, or their Not- form. */
interface PatternMatcher {
  negated: boolean;
  /** Patterns fixed when parsed. */
  patterns: WildcardPattern[];
  /** Resources with policy variables, compiled per request. */
  templates: Template[];
}

interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal: PrincipalMatcher;
  action: PatternMatcher;
  resource: PatternMatcher;
  conditions: Condition[];
}

/** A parsed bucket policy. */
export interface Policy {
  statements: Statement[];
}

/** One request as a policy sees it. */
export interface PolicyRequest {
  /** The requester's canonical id; undefined when anonymous. */
  principalId?: string;
  /** e.g. 's3:GetObject'. */
  action: string;
  /** e.g. 'arn:aws:s3:::bucket/key'. */
  resource: string;
  context: ConditionContext;
}

/** What a policy says about a request: an explicit Deny, an Allow, or nothing. */
export type PolicyVerdict = 'Deny' | 'Allow' | 'None';

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
}

/**
 * Parses a stored policy of `bucket`, or one being set; MalformedPolicy for anything invalid
 * or outside the bucket. A policy being set also passes checkNewPolicy.
 */
export function parsePolicy(text: string, bucket: string): Policy {
  const root = policyObject(jsonOf(text), 'The policy');
  onlyKeys(root, ['Version', 'Id', 'Statement'], 'The policy');
  const version = root['Version'];
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw malformedPolicy('The policy must contain a valid version string');
  }
  const raw = root['Statement'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw malformedPolicy('Missing required field Statement');
  // Policy variables came with the 2012-10-17 language; before it `${` is plain text.
  const variables = version === '2012-10-17';
  const statements = list.map((s) =>
    parseStatement(policyObject(s, 'A statement'), bucket, variables),
  );
  return { statements };
}

/**
 * The rules only a policy being set must meet, on top of parsePolicy's: its size (a stored
 * one met it already; parsePolicy runs on every request) and rules of AWS's that Cairn did
 * not always enforce, so stored policies are not held to them.
 */
export function checkNewPolicy(text: string, bucket: string): Policy {
  if (Buffer.byteLength(JSON.stringify(jsonOf(text)) ?? '', 'utf8') > POLICY_BYTES_MAX) {
    throw malformedPolicy('Policy exceeds the maximum allowed document size.');
  }
  const policy = parsePolicy(text, bucket);
  // Duplicate Sids are not refused: IAM does, but S3 bucket policies with them exist (tools
  // such as Cloud Custodian meet them), and a Sid changes nothing a statement means.
  for (const statement of policy.statements) {
    if (statement.principal.negated && statement.effect === 'Allow') {
      // AWS: "NotPrincipal must be used with "Effect":"Deny"."
      throw malformedPolicy('NotPrincipal is only supported with "Effect": "Deny"');
    }
    if (statement.conditions.some((c) => c.valueCount > CONDITION_VALUES_MAX)) {
      throw malformedPolicy(`A condition may list at most ${CONDITION_VALUES_MAX} values.`);
    }
    const ids = [...statement.principal.ids];
    const partial = ids.find((id) => id.includes('*') || id.includes('?'));
    if (partial !== undefined) throw malformedPolicy(`Invalid principal in policy: ${partial}`);
  }
  return policy;
}

function onlyKeys(node: Record<string, unknown>, keys: string[], what: string): void {
  const extra = Object.keys(node).find((key) => !keys.includes(key));
  if (extra !== undefined) throw malformedPolicy(`${what} has an unknown field: ${extra}`);
}

const STATEMENT_KEYS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];

function parseStatement(
  node: Record<string, unknown>,
  bucket: string,
  variables: boolean,
): Statement {
  onlyKeys(node, STATEMENT_KEYS, 'A statement');
  const sid = node['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw malformedPolicy('Sid must be a string.');
  const effect = node['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw malformedPolicy(`Invalid effect: ${String(effect)}`);
  }
  const [principal, notPrincipal] = eitherOf(node, 'Principal');
  const [action, notAction] = eitherOf(node, 'Action');
  const [resource, notResource] = eitherOf(node, 'Resource');
  return {
    ...(sid !== undefined ? { sid } : {}),
    effect,
    principal: { ...parsePrincipal(principal), negated: notPrincipal },
    action: { ...actionPatterns(strings(action, 'Action')), negated: notAction },
    resource: {
      ...resourcePatterns(strings(resource, 'Resource'), bucket, variables),
      negated: notResource,
    },
    conditions: parseConditions(node['Condition'], variables),
  };
}

/** The field or its Not- form (exactly one of them): its value, and whether it is Not-. */
function eitherOf(node: Record<string, unknown>, field: string): [unknown, boolean] {
  const plain = node[field];
  const not = node[`Not${field}`];
  if ((plain === undefined) === (not === undefined)) {
    throw malformedPolicy(`A statement needs exactly one of ${field} and Not${field}.`);
  }
  return plain !== undefined ? [plain, false] : [not, true];
}

function strings(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw malformedPolicy(`${what} must be a string or a list of strings.`);
  }
  return list as string[];
}

function parsePrincipal(value: unknown): Omit<PrincipalMatcher, 'negated'> {
  if (value === '*') return { everyone: true, ids: new Set() };
  const node = policyObject(value, 'Principal');
  onlyKeys(node, ['AWS', 'CanonicalUser'], 'Principal');
  const ids = new Set<string>();
  let everyone = false;
  for (const [kind, raw] of Object.entries(node)) {
    for (const entry of strings(raw, 'Principal')) {
      if (entry === '*') everyone = true;
      else ids.add(kind === 'AWS' ? principalId(entry) : entry);
    }
  }
  return { everyone, ids };
}

/** The canonical id an AWS principal names: an id, or arn:aws:iam::<id>:root. */
function principalId(entry: string): string {
  const prefix = 'arn:aws:iam::';
  const suffix = ':root';
  if (entry.startsWith(prefix) && entry.endsWith(suffix)) {
    const id = entry.slice(prefix.length, -suffix.length);
    if (id !== '' && !id.includes(':')) return id;
  }
  if (entry.startsWith('arn:') || /\s/.test(entry)) {
    throw malformedPolicy(`Invalid principal in policy: ${entry}`);
  }
  return entry;
}

function actionPatterns(actions: string[]): Omit<PatternMatcher, 'negated'> {
  for (const action of actions) {
    if (action !== '*' && !/^s3:[A-Za-z0-9*?]+$/.test(action)) {
      throw malformedPolicy(`Policy has invalid action: ${action}`);
    }
  }
  // Action names are case-insensitive.
  const patterns = actions.map((a) => compileWildcard(a, { ignoreCase: true }));
  return { patterns, templates: [] };
}

const S3_ARN = 'arn:aws:s3:::';

/** Every resource must name this bucket or objects in it. */
function resourcePatterns(
  resources: string[],
  bucket: string,
  variables: boolean,
): Omit<PatternMatcher, 'negated'> {
  const patterns: WildcardPattern[] = [];
  const templates: Template[] = [];
  for (const resource of resources) {
    if (resource !== '*') {
      if (!resource.startsWith(S3_ARN)) {
        throw malformedPolicy(`Policy has invalid resource: ${resource}`);
      }
      const path = resource.slice(S3_ARN.length);
      const slash = path.indexOf('/');
      const bucketPart = slash < 0 ? path : path.slice(0, slash);
      const named = compileWildcard(bucketPart);
      if (bucketPart.includes('${') || !wildcardMatch(named, bucket)) {
        throw malformedPolicy(`Policy has invalid resource: ${resource}`);
      }
    }
    const template = parseTemplate(resource, variables);
    if (template.variable) templates.push(template);
    else patterns.push(compileWildcard(resolveTemplate(template, {})!));
  }
  return { patterns, templates };
}

function patternsMatch(
  matcher: PatternMatcher,
  value: WildcardText,
  context: ConditionContext,
): boolean {
  const hit =
    matcher.patterns.some((pattern) => wildcardMatch(pattern, value)) ||
    matcher.templates.some((template) => {
      const parts = resolveTemplate(template, context);
      return parts !== undefined && wildcardMatch(compileWildcard(parts), value);
    });
  return hit !== matcher.negated;
}

function principalMatches(matcher: PrincipalMatcher, id: string | undefined): boolean {
  const hit = matcher.everyone || (id !== undefined && matcher.ids.has(id));
  return hit !== matcher.negated;
}

/** Evaluates a policy: any matching Deny wins; else any matching Allow; else nothing. */
export function evaluatePolicy(policy: Policy, request: PolicyRequest): PolicyVerdict {
  const action = new WildcardText(request.action);
  const resource = new WildcardText(request.resource);
  const { context } = request;
  let verdict: PolicyVerdict = 'None';
  for (const statement of policy.statements) {
    const applies =
      principalMatches(statement.principal, request.principalId) &&
      patternsMatch(statement.action, action, context) &&
      patternsMatch(statement.resource, resource, context) &&
      statement.conditions.every((c) => conditionHolds(c, context));
    if (!applies) continue;
    if (statement.effect === 'Deny') return 'Deny';
    verdict = 'Allow';
  }
  return verdict;
}
