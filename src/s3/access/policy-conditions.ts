/**
 * The Condition block of a policy statement, as AWS's IAM documents it: the String, Numeric,
 * Date, Bool, IpAddress, Arn and Null operators, each (but Null) with an `…IfExists` form,
 * and the `ForAnyValue:`/`ForAllValues:` set qualifiers. Operators within a block, and keys
 * within an operator, must all hold (AND); a key's values are alternatives (OR, or NOR for a
 * negated operator). A key the request lacks fails every positive test and passes every
 * negated one, except under IfExists (passes), ForAllValues (passes), ForAnyValue (fails) and
 * Null (which tests exactly that). Anything not understood is MalformedPolicy.
 * Every pattern is matched by src/s3/wildcard.ts, never by a regular expression.
 */
import { ipMatches, parseCidr } from './ip.js';
import {
  conditionKeyOf,
  contextValues,
  malformedPolicy,
  parseTemplate,
  policyObject,
  resolveTemplate,
  templateText,
  type ConditionContext,
  type KeyType,
  type Template,
} from './policy-keys.js';
import { compileWildcard, wildcardMatch, WildcardText, type WildcardPattern } from '../wildcard.js';

type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Ip' | 'Arn' | 'Null';
type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorSpec {
  family: Family;
  negated?: true;
  /** How Numeric and Date operators compare the request's value with the policy's. */
  compare?: Comparison;
  ignoreCase?: true;
  like?: true;
}

function ordered(family: 'Numeric' | 'Date'): Record<string, OperatorSpec> {
  return {
    [`${family}Equals`]: { family, compare: 'eq' },
    [`${family}NotEquals`]: { family, compare: 'eq', negated: true },
    [`${family}LessThan`]: { family, compare: 'lt' },
    [`${family}LessThanEquals`]: { family, compare: 'le' },
    [`${family}GreaterThan`]: { family, compare: 'gt' },
    [`${family}GreaterThanEquals`]: { family, compare: 'ge' },
  };
}

const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: { family: 'String' },
  StringNotEquals: { family: 'String', negated: true },
  StringEqualsIgnoreCase: { family: 'String', ignoreCase: true },
  StringNotEqualsIgnoreCase: { family: 'String', ignoreCase: true, negated: true },
  StringLike: { family: 'String', like: true },
  StringNotLike: { family: 'String', like: true, negated: true },
  ...ordered('Numeric'),
  ...ordered('Date'),
  Bool: { family: 'Bool' },
  IpAddress: { family: 'Ip' },
  NotIpAddress: { family: 'Ip', negated: true },
  ArnEquals: { family: 'Arn' },
  ArnLike: { family: 'Arn' },
  ArnNotEquals: { family: 'Arn', negated: true },
  ArnNotLike: { family: 'Arn', negated: true },
  Null: { family: 'Null' },
};

/** The key types each family may test; Null tests any key. */
const FAMILY_TYPES: Readonly<Record<Exclude<Family, 'Null'>, readonly KeyType[]>> = {
  String: ['string', 'numeric', 'date', 'bool', 'arn'],
  Numeric: ['numeric'],
  Date: ['date'],
  // Bool on a string key compares text; older Cairn took it so, and stored policies may.
  Bool: ['bool', 'string'],
  Ip: ['ip'],
  Arn: ['arn'],
};

/**
 * Most values one key of one operator may list in a policy being set (Cairn's bound; AWS's
 * 20 KiB allows some 10,000 tiny ones, each tested on every request).
 */
export const CONDITION_VALUES_MAX = 1000;

type Qualifier = 'ForAnyValue' | 'ForAllValues';

/** One operator testing one key, ready to evaluate. */
export interface Condition {
  /** The operator as the policy writes it, e.g. 'ForAnyValue:StringLikeIfExists'. */
  readonly operator: string;
  /** The key as ConditionContext names it. */
  readonly key: string;
  readonly qualifier?: Qualifier;
  readonly ifExists: boolean;
  readonly negated: boolean;
  /** How many values the policy lists (checkNewPolicy bounds it). */
  readonly valueCount: number;
  /** Null only: whether each value asks for the key to be absent. */
  readonly absentWanted?: readonly boolean[];
  /** Whether one request value matches any of the policy's values. */
  readonly test: (value: string, context: ConditionContext) => boolean;
}

interface ParsedOperator {
  spec: OperatorSpec;
  qualifier?: Qualifier;
  ifExists: boolean;
}

function parseOperator(raw: string): ParsedOperator {
  let name = raw;
  let qualifier: Qualifier | undefined;
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (name.startsWith(`${q}:`)) {
      qualifier = q;
      name = name.slice(q.length + 1);
    }
  }
  const ifExists = name.endsWith('IfExists') && name !== 'IfExists';
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  const spec = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
  if (!spec || (spec.family === 'Null' && (ifExists || qualifier))) {
    throw malformedPolicy(`Invalid Condition type : ${raw}`);
  }
  return { spec, ifExists, ...(qualifier ? { qualifier } : {}) };
}

/**
 * Parses a statement's Condition block. `variables`: whether String and Arn values may hold
 * policy variables (Version 2012-10-17).
 */
export function parseConditions(value: unknown, variables: boolean): Condition[] {
  if (value === undefined) return [];
  const conditions: Condition[] = [];
  for (const [operator, body] of Object.entries(policyObject(value, 'Condition'))) {
    const parsed = parseOperator(operator);
    for (const [rawKey, rawValues] of Object.entries(policyObject(body, operator))) {
      conditions.push(parseCondition(operator, parsed, rawKey, rawValues, variables));
    }
  }
  return conditions;
}

function valuesOf(rawKey: string, rawValues: unknown): string[] {
  const list = Array.isArray(rawValues) ? rawValues : [rawValues];
  const scalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  if (list.length === 0 || !list.every(scalar)) {
    throw malformedPolicy(`Invalid value for condition key ${rawKey}`);
  }
  return list.map(String);
}

function parseCondition(
  operator: string,
  parsed: ParsedOperator,
  rawKey: string,
  rawValues: unknown,
  variables: boolean,
): Condition {
  const key = conditionKeyOf(rawKey);
  if (!key) throw malformedPolicy(`Policy has an invalid condition key: ${rawKey}`);
  const { spec } = parsed;
  const family = spec.family;
  if (family !== 'Null' && !key.spec.types.some((t) => FAMILY_TYPES[family].includes(t))) {
    throw malformedPolicy(`${operator} cannot test ${rawKey}`);
  }
  const values = valuesOf(rawKey, rawValues);
  const common = {
    operator,
    key: key.name,
    ifExists: parsed.ifExists,
    negated: spec.negated === true,
    valueCount: values.length,
    ...(parsed.qualifier ? { qualifier: parsed.qualifier } : {}),
  };
  if (spec.family === 'Null') {
    return { ...common, absentWanted: values.map((v) => booleanOf(v)), test: () => false };
  }
  return { ...common, test: testOf(spec, values, variables) };
}

function booleanOf(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') {
    throw malformedPolicy(`Bool and Null conditions take true or false, not ${value}`);
  }
  return lower === 'true';
}

type Test = Condition['test'];

function testOf(spec: OperatorSpec, values: string[], variables: boolean): Test {
  switch (spec.family) {
    case 'String':
      return stringTest(
        spec,
        values.map((v) => parseTemplate(v, variables)),
      );
    case 'Numeric':
      return orderedTest(
        spec.compare!,
        values.map((v) => numberOf(v) ?? invalid('number', v)),
        numberOf,
      );
    case 'Date':
      return orderedTest(
        spec.compare!,
        values.map((v) => dateOf(v) ?? invalid('date', v)),
        dateOf,
      );
    case 'Bool': {
      const wanted = values.map((v) => String(booleanOf(v)));
      return (value) => wanted.includes(value.toLowerCase());
    }
    case 'Ip': {
      const cidrs = values.map((v) => parseCidr(v) ?? invalid('IP address or range', v));
      return (value) => cidrs.some((cidr) => ipMatches(cidr, value));
    }
    case 'Arn':
      return arnTest(values.map((v) => parseTemplate(v, variables)));
    default:
      throw new Error(`no test for ${spec.family}`);
  }
}

function invalid(what: string, value: string): never {
  throw malformedPolicy(`Invalid ${what} in condition: ${value}`);
}

function stringTest(spec: OperatorSpec, templates: Template[]): Test {
  if (spec.like) {
    const fixed = templates.map((t) =>
      t.variable ? undefined : compileWildcard(resolveTemplate(t, {})!),
    );
    return (value, context) => {
      const text = new WildcardText(value); // converted once for every pattern
      return templates.some((template, i) => {
        const pattern = fixed[i] ?? compiledFor(template, context);
        return pattern !== undefined && wildcardMatch(pattern, text);
      });
    };
  }
  const fold = (text: string) => (spec.ignoreCase ? text.toLowerCase() : text);
  return (value, context) => {
    const actual = fold(value);
    return templates.some((template) => {
      const expected = templateText(template, context);
      return expected !== undefined && fold(expected) === actual;
    });
  };
}

function compiledFor(template: Template, context: ConditionContext): WildcardPattern | undefined {
  const parts = resolveTemplate(template, context);
  return parts === undefined ? undefined : compileWildcard(parts);
}

/** Numbers as IAM writes them: integers and decimals, nothing else (no hex, no blanks). */
export function numberOf(text: string): number | undefined {
  if (!/^[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})$/.test(text)) return undefined;
  return Number(text);
}

/** A date as IAM takes it: ISO 8601 (UTC unless it says otherwise) or epoch seconds; in ms. */
export function dateOf(text: string): number | undefined {
  if (/^\d{1,12}$/.test(text)) return Number(text) * 1000;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
  if (!iso.test(text)) return undefined;
  const zoned = text.includes('T') && !/(Z|[+-]\d{2}:\d{2})$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

function compared(compare: Comparison, actual: number, wanted: number): boolean {
  switch (compare) {
    case 'eq':
      return actual === wanted;
    case 'lt':
      return actual < wanted;
    case 'le':
      return actual <= wanted;
    case 'gt':
      return actual > wanted;
    case 'ge':
      return actual >= wanted;
  }
}

function orderedTest(
  compare: Comparison,
  wanted: number[],
  parse: (text: string) => number | undefined,
): Test {
  return (value) => {
    const actual = parse(value);
    return actual !== undefined && wanted.some((w) => compared(compare, actual, w));
  };
}

/** An ARN's six colon-separated fields (the last keeps any further colons). */
function arnFields(arn: string): string[] | undefined {
  const fields: string[] = [];
  let rest = arn;
  for (let i = 0; i < 5; i++) {
    const colon = rest.indexOf(':');
    if (colon < 0) return undefined;
    fields.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  fields.push(rest);
  return fields[0] === 'arn' ? fields : undefined;
}

type Part = { glob: string } | { literal: string };

/**
 * A policy ARN's six fields as wildcard parts. Only the policy's own text is cut at colons:
 * a variable's value stays literal inside its field, so a request cannot widen the match.
 */
function arnPatternFields(parts: readonly Part[]): Part[][] | undefined {
  const fields: Part[][] = [[]];
  for (const part of parts) {
    if ('literal' in part) {
      fields.at(-1)!.push(part);
      continue;
    }
    const pieces = part.glob.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0 && fields.length < 6) fields.push([]);
      else if (i > 0) fields.at(-1)!.push({ glob: ':' });
      fields.at(-1)!.push({ glob: piece });
    });
  }
  const head = fields[0]!;
  const arn = head.length === 1 && 'glob' in head[0]! && head[0].glob === 'arn';
  return fields.length === 6 && arn ? fields : undefined;
}

function isStar(parts: readonly Part[]): boolean {
  return parts.length === 1 && 'glob' in parts[0]! && parts[0].glob === '*';
}

/** ArnEquals and ArnLike alike: each field matched on its own, `*` never crossing a colon. */
function arnTest(templates: Template[]): Test {
  for (const template of templates) {
    // Checked with each variable standing for a plain value: a variable never adds a field.
    const sample = template.parts.map((p) => ('variable' in p ? { literal: 'x' } : toPart(p)));
    if (!isStar(sample) && !arnPatternFields(sample)) {
      invalid('ARN', template.parts.map(textOf).join(''));
    }
  }
  return (value, context) => {
    const actual = arnFields(value);
    return templates.some((template) => {
      const parts = resolveTemplate(template, context);
      if (parts === undefined || !actual) return false;
      if (isStar(parts)) return true;
      const fields = arnPatternFields(parts);
      return (
        fields !== undefined &&
        fields.every((field, i) => wildcardMatch(compileWildcard(field), actual[i]!))
      );
    });
  };
}

function toPart(part: { text: string } | { literal: string }): Part {
  return 'text' in part ? { glob: part.text } : part;
}

function textOf(part: Template['parts'][number]): string {
  return 'text' in part ? part.text : 'literal' in part ? part.literal : `\${part.variable}`;
}

/** Whether one condition holds for a request. */
export function conditionHolds(condition: Condition, context: ConditionContext): boolean {
  const actual = contextValues(context, condition.key);
  if (condition.absentWanted) {
    return condition.absentWanted.some((absent) => absent === (actual === undefined));
  }
  if (actual === undefined) {
    if (condition.ifExists || condition.qualifier === 'ForAllValues') return true;
    if (condition.qualifier === 'ForAnyValue') return false;
    return condition.negated;
  }
  const one = (value: string) => condition.test(value, context) !== condition.negated;
  if (condition.qualifier === 'ForAllValues') return actual.every(one);
  if (condition.qualifier === 'ForAnyValue') return actual.some(one);
  const hit = actual.some((value) => condition.test(value, context));
  return condition.negated ? !hit : hit;
}
