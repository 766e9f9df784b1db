/**
 * The LifecycleConfiguration document: parsed and validated as AWS does before anything is
 * stored (unknown elements and a wrong shape: MalformedXML; values out of range, duplicate
 * ids, a Date not at midnight UTC: InvalidArgument), and rendered back in the form given.
 * Transitions are validated, then refused with NotImplemented: there is one storage class.
 */
import type { Tag } from '../objects/manifest.js';
import type { FilterForm, LifecycleFilter, LifecycleRule } from '../objects/lifecycle/rules.js';
import { S3Error } from '../http/errors.js';
import { parseRequestXml, renderXml } from '../http/xml.js';

/** Most rules a configuration may hold (AWS: 1,000). */
export const LIFECYCLE_RULES_MAX = 1000;
const ID_CHARS_MAX = 255;
/** NewerNoncurrentVersions: AWS accepts 1 to 100. */
const NEWER_NONCURRENT_MAX = 100;

type Fields = Record<string, unknown>;

const ALLOWED: Record<string, readonly string[]> = {
  LifecycleConfiguration: ['Rule'],
  Rule: [
    'ID',
    'Status',
    'Prefix',
    'Filter',
    'Expiration',
    'NoncurrentVersionExpiration',
    'AbortIncompleteMultipartUpload',
    'Transition',
    'NoncurrentVersionTransition',
  ],
  Filter: ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'],
  And: ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'],
  Tag: ['Key', 'Value'],
  Expiration: ['Days', 'Date', 'ExpiredObjectDeleteMarker'],
  NoncurrentVersionExpiration: ['NoncurrentDays', 'NewerNoncurrentVersions'],
  AbortIncompleteMultipartUpload: ['DaysAfterInitiation'],
  Transition: ['Days', 'Date', 'StorageClass'],
  NoncurrentVersionTransition: ['NoncurrentDays', 'NewerNoncurrentVersions', 'StorageClass'],
};

const malformed = () => new S3Error('MalformedXML');
const invalid = (message: string) => new S3Error('InvalidArgument', message);

/** An element's children, checked against what `name` may hold; '' (empty) is none. */
function element(value: unknown, name: string): Fields {
  if (value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  for (const child of Object.keys(value)) {
    if (!ALLOWED[name]!.includes(child)) throw malformed();
  }
  return value as Fields;
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') return '';
  if (typeof value !== 'string') throw malformed();
  return value;
}

function integer(value: unknown, what: string, min: number, max = 2 ** 31 - 1) {
  const raw = text(value);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw malformed();
  const n = Number(raw);
  if (n < min || n > max) throw invalid(`'${what}' must be an integer from ${min} to ${max}.`);
  return n;
}

/** The rules of a LifecycleConfiguration document; see the file comment for the errors. */
export function parseLifecycleXml(xml: string): LifecycleRule[] {
  const doc = parseRequestXml(xml);
  const keys = Object.keys(doc).filter((name) => !name.startsWith('?'));
  if (keys.length !== 1 || keys[0] !== 'LifecycleConfiguration') throw malformed();
  const config = element(doc['LifecycleConfiguration'], 'LifecycleConfiguration');
  const raw = list(config['Rule']);
  if (raw.length === 0) throw malformed();
  if (raw.length > LIFECYCLE_RULES_MAX) {
    throw invalid(`A lifecycle configuration may hold at most ${LIFECYCLE_RULES_MAX} rules.`);
  }
  const rules = raw.map((rule, n) => parseRule(element(rule, 'Rule'), n));
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id))
      throw invalid('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(rule.id);
  }
  if (rules.some((rule) => rule.transitions)) {
    throw S3Error.notImplemented('Lifecycle transitions to other storage classes');
  }
  return rules.map(({ transitions: _, ...rule }) => rule);
}

function parseRule(fields: Fields, n: number): LifecycleRule & { transitions?: true } {
  const id = text(fields['ID']) || `rule-${n + 1}`;
  if (id.length > ID_CHARS_MAX) throw invalid('ID length should not exceed allowed limit of 255');
  const status = text(fields['Status']);
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
  const { form, filter } = parseRuleFilter(fields);
  const rule: LifecycleRule & { transitions?: true } = {
    id,
    enabled: status === 'Enabled',
    form,
    filter,
  };
  parseActions(fields, rule);
  const hasAction =
    rule.expiration !== undefined ||
    rule.noncurrentExpiration !== undefined ||
    rule.abortIncompleteDays !== undefined ||
    rule.transitions === true;
  if (!hasAction) throw malformed();
  if (rule.expiration?.expiredObjectDeleteMarker && filter.tags) {
    throw invalid('ExpiredObjectDeleteMarker cannot be specified with tags.');
  }
  if (rule.abortIncompleteDays !== undefined && (filter.tags || form === 'and')) {
    throw invalid('AbortIncompleteMultipartUpload cannot be specified with tags.');
  }
  return rule;
}

function parseRuleFilter(fields: Fields): { form: FilterForm; filter: LifecycleFilter } {
  const prefix = text(fields['Prefix']);
  const hasFilter = fields['Filter'] !== undefined;
  if ((prefix === undefined) === !hasFilter) throw malformed();
  if (prefix !== undefined) return { form: 'rule-prefix', filter: { prefix } };
  const filter = element(fields['Filter'], 'Filter');
  const parts = Object.keys(filter);
  if (parts.length > 1 || (parts.length === 1 && Array.isArray(filter['Tag']))) {
    throw malformed();
  }
  if (parts[0] !== 'And') return { form: 'filter', filter: predicates(filter) };
  const and = predicates(element(filter['And'], 'And'));
  return { form: 'and', filter: and };
}

function predicates(fields: Fields): LifecycleFilter {
  const filter: LifecycleFilter = {};
  const prefix = text(fields['Prefix']);
  if (prefix !== undefined) filter.prefix = prefix;
  const tags = list(fields['Tag']).map(parseTag);
  if (tags.length > 0) {
    if (new Set(tags.map((t) => t.key)).size !== tags.length) {
      throw invalid('Duplicate Tag Keys are not allowed.');
    }
    filter.tags = tags;
  }
  const gt = integer(fields['ObjectSizeGreaterThan'], 'ObjectSizeGreaterThan', 0, 2 ** 53);
  const lt = integer(fields['ObjectSizeLessThan'], 'ObjectSizeLessThan', 1, 2 ** 53);
  if (gt !== undefined) filter.sizeGreaterThan = gt;
  if (lt !== undefined) filter.sizeLessThan = lt;
  if (gt !== undefined && lt !== undefined && gt >= lt) {
    throw invalid('ObjectSizeGreaterThan must be less than ObjectSizeLessThan.');
  }
  return filter;
}

function parseTag(raw: unknown): Tag {
  const fields = element(raw, 'Tag');
  const key = text(fields['Key']);
  const value = text(fields['Value']) ?? '';
  if (!key || key.length > 128 || value.length > 256) throw invalid('Invalid Tag in Filter.');
  return { key, value };
}

function parseActions(fields: Fields, rule: LifecycleRule & { transitions?: true }): void {
  if (fields['Expiration'] !== undefined) {
    rule.expiration = parseExpiration(element(fields['Expiration'], 'Expiration'));
  }
  if (fields['NoncurrentVersionExpiration'] !== undefined) {
    const nc = element(fields['NoncurrentVersionExpiration'], 'NoncurrentVersionExpiration');
    const noncurrentDays = integer(nc['NoncurrentDays'], 'NoncurrentDays', 1);
    if (noncurrentDays === undefined) throw malformed();
    const newer = integer(
      nc['NewerNoncurrentVersions'],
      'NewerNoncurrentVersions',
      1,
      NEWER_NONCURRENT_MAX,
    );
    rule.noncurrentExpiration = {
      noncurrentDays,
      ...(newer === undefined ? {} : { newerNoncurrentVersions: newer }),
    };
  }
  if (fields['AbortIncompleteMultipartUpload'] !== undefined) {
    const abort = element(
      fields['AbortIncompleteMultipartUpload'],
      'AbortIncompleteMultipartUpload',
    );
    const days = integer(abort['DaysAfterInitiation'], 'DaysAfterInitiation', 1);
    if (days === undefined) throw malformed();
    rule.abortIncompleteDays = days;
  }
  for (const name of ['Transition', 'NoncurrentVersionTransition']) {
    for (const raw of list(fields[name])) {
      const transition = element(raw, name);
      if (transition['Date'] !== undefined) parseDate(transition['Date']);
      integer(transition['Days'], 'Days', 0);
      integer(transition['NoncurrentDays'], 'NoncurrentDays', 0);
      rule.transitions = true;
    }
  }
}

function parseExpiration(fields: Fields): NonNullable<LifecycleRule['expiration']> {
  const days = integer(fields['Days'], 'Days', 1);
  const date = fields['Date'] === undefined ? undefined : parseDate(fields['Date']);
  const marker = text(fields['ExpiredObjectDeleteMarker']);
  if (marker !== undefined && marker !== 'true' && marker !== 'false') throw malformed();
  const given = [days, date, marker].filter((v) => v !== undefined).length;
  if (given !== 1) throw malformed();
  if (days !== undefined) return { days };
  if (date !== undefined) return { dateMs: date };
  return { expiredObjectDeleteMarker: marker === 'true' };
}

const ISO_MIDNIGHT = /^(\d{4})-(\d{2})-(\d{2})(?:T00:00:00(?:\.0+)?(?:Z|[+-]00:?00)?)?$/;

/** A Date element: ISO 8601 at midnight UTC, as ms since the epoch. */
function parseDate(value: unknown): number {
  const raw = text(value) ?? '';
  const match = ISO_MIDNIGHT.exec(raw);
  const ms = match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!) : NaN;
  const roundTrips = match && new Date(ms).toISOString().startsWith(raw.slice(0, 10));
  if (!roundTrips) throw invalid("'Date' must be at midnight GMT");
  return ms;
}

/** The LifecycleConfiguration document of stored rules. */
export function renderLifecycle(rules: readonly LifecycleRule[]): string {
  return renderXml('LifecycleConfiguration', { Rule: rules.map(renderRule) });
}

function renderRule(rule: LifecycleRule): Fields {
  const out: Fields = { ID: rule.id };
  if (rule.form === 'rule-prefix') out['Prefix'] = rule.filter.prefix ?? '';
  else if (rule.form === 'and') out['Filter'] = { And: renderPredicates(rule.filter) };
  else out['Filter'] = renderPredicates(rule.filter);
  out['Status'] = rule.enabled ? 'Enabled' : 'Disabled';
  const exp = rule.expiration;
  if (exp) {
    if (exp.days !== undefined) out['Expiration'] = { Days: exp.days };
    else if (exp.dateMs !== undefined)
      out['Expiration'] = { Date: new Date(exp.dateMs).toISOString() };
    else out['Expiration'] = { ExpiredObjectDeleteMarker: String(exp.expiredObjectDeleteMarker) };
  }
  const nc = rule.noncurrentExpiration;
  if (nc) {
    out['NoncurrentVersionExpiration'] = {
      NoncurrentDays: nc.noncurrentDays,
      ...(nc.newerNoncurrentVersions
        ? { NewerNoncurrentVersions: nc.newerNoncurrentVersions }
        : {}),
    };
  }
  if (rule.abortIncompleteDays !== undefined) {
    out['AbortIncompleteMultipartUpload'] = { DaysAfterInitiation: rule.abortIncompleteDays };
  }
  return out;
}

function renderPredicates(filter: LifecycleFilter): Fields {
  const out: Fields = {};
  if (filter.prefix !== undefined) out['Prefix'] = filter.prefix;
  if (filter.tags) out['Tag'] = filter.tags.map((t) => ({ Key: t.key, Value: t.value }));
  if (filter.sizeGreaterThan !== undefined) out['ObjectSizeGreaterThan'] = filter.sizeGreaterThan;
  if (filter.sizeLessThan !== undefined) out['ObjectSizeLessThan'] = filter.sizeLessThan;
  return out;
}
