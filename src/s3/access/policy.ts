/**
 * Bucket policies: the JSON document parsed into statements once, and evaluated against
 * one request. Parsing refuses everything it does not understand (MalformedPolicy) rather
 * than guess: a statement silently misread could grant what its author meant to deny.
 * Pure; the request's facts (who, which action, which resource, its IP and transport) come
 * in as values.
 */
import { S3Error } from '../errors.js';
import { ipMatches, parseCidr, type Cidr } from './ip.js';

/** Largest policy document S3 accepts, in bytes. */
export const POLICY_BYTES_MAX = 20 * 1024;

/** Condition operators understood here. */
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'IpAddress',
  'NotIpAddress',
  'Bool',
] as const;
type Operator = (typeof OPERATORS)[number];

/** Condition keys a request can supply, lower-cased (keys are case-insensitive). */
export const CONDITION_KEYS = [
  'aws:sourceip',
  'aws:securetransport',
  'aws:referer',
  'aws:useragent',
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:x-amz-acl',
] as const;

/** The facts of a request that conditions test, by lower-cased key; absent when unknown. */
export type ConditionContext = Partial<Record<(typeof CONDITION_KEYS)[number], string>>;

interface Condition {
  operator: Operator;
  key: (typeof CONDITION_KEYS)[number];
  values: string[];
  patterns: RegExp[];
  cidrs: Cidr[];
}

/** Matches a set of strings: everything ("*"), or any of some patterns. */
interface Matcher {
  negated: boolean;
  test(value: string | undefined): boolean;
}

interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal: Matcher;
  action: Matcher;
  resource: Matcher;
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

function malformed(detail: string): S3Error {
  return new S3Error('MalformedPolicy', detail);
}

/** Parses a policy for `bucket`; MalformedPolicy for anything invalid or outside it. */
export function parsePolicy(text: string, bucket: string): Policy {
  if (Buffer.byteLength(text, 'utf8') > POLICY_BYTES_MAX) {
    throw malformed(`Policies must be no larger than ${POLICY_BYTES_MAX} bytes.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  const root = record(doc, 'The policy');
  onlyKeys(root, ['Version', 'Id', 'Statement'], 'The policy');
  const version = root['Version'];
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw malformed('The policy must contain a valid version string');
  }
  const raw = root['Statement'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw malformed('Missing required field Statement');
  return { statements: list.map((s) => parseStatement(record(s, 'A statement'), bucket)) };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function onlyKeys(node: Record<string, unknown>, keys: string[], what: string): void {
  const extra = Object.keys(node).find((key) => !keys.includes(key));
  if (extra !== undefined) throw malformed(`${what} has an unknown field: ${extra}`);
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

function parseStatement(node: Record<string, unknown>, bucket: string): Statement {
  onlyKeys(node, STATEMENT_KEYS, 'A statement');
  const sid = node['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Sid must be a string.');
  const effect = node['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw malformed(`Invalid effect: ${String(effect)}`);
  }
  return {
    ...(sid !== undefined ? { sid } : {}),
    effect,
    principal: eitherOf(node, 'Principal', parsePrincipal),
    action: eitherOf(node, 'Action', (v) => patternMatcher(strings(v, 'Action'), checkAction)),
    resource: eitherOf(node, 'Resource', (v) =>
      patternMatcher(strings(v, 'Resource'), (r) => checkResource(r, bucket)),
    ),
    conditions: parseConditions(node['Condition']),
  };
}

/** The field or its Not- form (exactly one of them), as a matcher. */
function eitherOf(
  node: Record<string, unknown>,
  field: string,
  parse: (value: unknown) => Matcher,
): Matcher {
  const plain = node[field];
  const not = node[`Not${field}`];
  if ((plain === undefined) === (not === undefined)) {
    throw malformed(`A statement needs exactly one of ${field} and Not${field}.`);
  }
  const matcher = parse(plain ?? not);
  return plain !== undefined ? matcher : { ...matcher, negated: true };
}

function strings(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw malformed(`${what} must be a string or a list of strings.`);
  }
  return list as string[];
}

function parsePrincipal(value: unknown): Matcher {
  if (value === '*') return { negated: false, test: () => true };
  const node = record(value, 'Principal');
  onlyKeys(node, ['AWS', 'CanonicalUser'], 'Principal');
  const ids = new Set<string>();
  let everyone = false;
  for (const [kind, raw] of Object.entries(node)) {
    for (const entry of strings(raw, 'Principal')) {
      if (entry === '*') everyone = true;
      else ids.add(kind === 'AWS' ? principalId(entry) : entry);
    }
  }
  return { negated: false, test: (id) => everyone || (id !== undefined && ids.has(id)) };
}

/** The canonical id an AWS principal names: an id, or arn:aws:iam::<id>:root. */
function principalId(entry: string): string {
  const arn = /^arn:aws:iam::([^:]+):root$/.exec(entry);
  if (arn) return arn[1]!;
  if (entry.startsWith('arn:') || /\s/.test(entry)) {
    throw malformed(`Invalid principal in policy: ${entry}`);
  }
  return entry;
}

/** A glob (`*` any run, `?` one character) as an anchored regular expression. */
export function globRegExp(glob: string, flags = ''): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\*?]/g, (c) =>
    c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`,
  );
  return new RegExp(`^${body}$`, `s${flags}`);
}

function patternMatcher(patterns: string[], check: (p: string) => RegExp): Matcher {
  const compiled = patterns.map(check);
  return {
    negated: false,
    test: (value) => value !== undefined && compiled.some((re) => re.test(value)),
  };
}

function checkAction(action: string): RegExp {
  if (action !== '*' && !/^s3:[A-Za-z0-9*?]+$/.test(action)) {
    throw malformed(`Policy has invalid action: ${action}`);
  }
  return globRegExp(action, 'i'); // action names are case-insensitive
}

const S3_ARN = 'arn:aws:s3:::';

/** A resource must name this bucket or objects in it. */
function checkResource(resource: string, bucket: string): RegExp {
  if (resource === '*') return globRegExp('*');
  if (!resource.startsWith(S3_ARN)) throw malformed(`Policy has invalid resource: ${resource}`);
  const path = resource.slice(S3_ARN.length);
  const slash = path.indexOf('/');
  const bucketPart = slash < 0 ? path : path.slice(0, slash);
  if (!globRegExp(bucketPart).test(bucket)) {
    throw malformed(`Policy has invalid resource: ${resource}`);
  }
  return globRegExp(resource);
}

function parseConditions(value: unknown): Condition[] {
  if (value === undefined) return [];
  const conditions: Condition[] = [];
  for (const [operator, body] of Object.entries(record(value, 'Condition'))) {
    if (!(OPERATORS as readonly string[]).includes(operator)) {
      throw malformed(`Invalid Condition type : ${operator}`);
    }
    for (const [rawKey, rawValues] of Object.entries(record(body, operator))) {
      conditions.push(parseCondition(operator as Operator, rawKey, rawValues));
    }
  }
  return conditions;
}

function parseCondition(operator: Operator, rawKey: string, rawValues: unknown): Condition {
  const key = rawKey.toLowerCase() as Condition['key'];
  if (!(CONDITION_KEYS as readonly string[]).includes(key)) {
    throw malformed(`Policy has an invalid condition key: ${rawKey}`);
  }
  const list = Array.isArray(rawValues) ? rawValues : [rawValues];
  const scalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  if (list.length === 0 || !list.every(scalar)) {
    throw malformed(`Invalid value for condition key ${rawKey}`);
  }
  const values = list.map(String);
  const ip = operator === 'IpAddress' || operator === 'NotIpAddress';
  if (ip !== (key === 'aws:sourceip')) {
    throw malformed(`${operator} cannot test ${rawKey}`);
  }
  if (operator === 'Bool' && !values.every((v) => /^(true|false)$/i.test(v))) {
    throw malformed(`Bool conditions take true or false, not ${values.join(', ')}`);
  }
  const cidrs = ip ? values.map((v) => parseCidr(v) ?? invalidCidr(v)) : [];
  const patterns = operator.endsWith('Like') ? values.map((v) => globRegExp(v)) : [];
  return { operator, key, values, patterns, cidrs };
}

function invalidCidr(value: string): never {
  throw malformed(`Invalid IP address or range: ${value}`);
}

/** Whether one condition holds; a key the request lacks fails every positive test. */
function conditionHolds(condition: Condition, context: ConditionContext): boolean {
  const actual = context[condition.key];
  const negated = /Not/.test(condition.operator);
  if (actual === undefined) return negated;
  const lower = actual.toLowerCase();
  let hit: boolean;
  switch (condition.operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      hit = condition.values.includes(actual);
      break;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      hit = condition.values.some((v) => v.toLowerCase() === lower);
      break;
    case 'StringLike':
    case 'StringNotLike':
      hit = condition.patterns.some((re) => re.test(actual));
      break;
    case 'IpAddress':
    case 'NotIpAddress':
      hit = condition.cidrs.some((cidr) => ipMatches(cidr, actual));
      break;
    case 'Bool':
      hit = condition.values.some((v) => v.toLowerCase() === lower);
      break;
  }
  return negated ? !hit : hit;
}

function matches(matcher: Matcher, value: string | undefined): boolean {
  return matcher.test(value) !== matcher.negated;
}

/** Evaluates a policy: any matching Deny wins; else any matching Allow; else nothing. */
export function evaluatePolicy(policy: Policy, request: PolicyRequest): PolicyVerdict {
  let verdict: PolicyVerdict = 'None';
  for (const statement of policy.statements) {
    const applies =
      matches(statement.principal, request.principalId) &&
      matches(statement.action, request.action) &&
      matches(statement.resource, request.resource) &&
      statement.conditions.every((c) => conditionHolds(c, request.context));
    if (!applies) continue;
    if (statement.effect === 'Deny') return 'Deny';
    verdict = 'Allow';
  }
  return verdict;
}
