/**
 * Renders usage answers in Riak CS's shapes (riak_cs_wm_usage.erl), JSON and XML, so that
 * existing Riak CS billing tools read Cairn unchanged:
 *
 *   {"Access":{"Nodes":[{"Node":n,"Samples":[{"StartTime":…,"EndTime":…,
 *                        "<Operation>":{"Count":n,"BytesIn":n,"BytesOut":n}}]}],"Errors":[]},
 *    "Storage":{"Samples":[{"StartTime":…,"EndTime":…,"<bucket>":{"Objects":n,"Bytes":n}}],
 *               "Errors":[]}}
 *
 * A part not asked for is the string "not_requested", as in Riak CS.
 */
import type { AccessSample, AccessStats } from './access-stats.js';
import { formatIsoBasic } from './iso8601.js';
import type { Usage } from './storage-delta.js';

/** One archived storage sample of a user: every bucket's usage at one time. */
export interface StorageSample {
  startMs: number;
  endMs: number;
  buckets: Record<string, Usage>;
  /** Noncurrent versions of versioned buckets, by bucket name; absent where there are none. */
  noncurrent?: Record<string, Usage>;
}

/** A bucket's fields in a sample: objects and bytes, then any noncurrent ones. */
function bucketFields(sample: StorageSample, name: string, u: Usage): Record<string, number> {
  const fields: Record<string, number> = { Objects: u.objects, Bytes: u.bytes };
  const old = sample.noncurrent?.[name];
  if (old) Object.assign(fields, { NoncurrentObjects: old.objects, NoncurrentBytes: old.bytes });
  return fields;
}

/** What a usage answer holds; an absent part was not requested. */
export interface UsageReport {
  access?: AccessSample[];
  storage?: StorageSample[];
}

/** Fields every operation shows, even at zero (the rest only when non-zero). */
const ACCESS_FIELDS_ALWAYS = ['Count', 'BytesIn', 'BytesOut'];

function statsView(stats: AccessStats): Record<string, number> {
  const view: Record<string, number> = {};
  for (const name of ACCESS_FIELDS_ALWAYS) view[name] = stats[name] ?? 0;
  for (const [name, value] of Object.entries(stats)) if (!(name in view)) view[name] = value;
  return view;
}

/** Access samples grouped by node, in node then time order. */
function byNode(samples: AccessSample[]): Array<[string, AccessSample[]]> {
  const nodes = new Map<string, AccessSample[]>();
  const sorted = [...samples].sort((a, b) => a.startMs - b.startMs);
  for (const s of sorted) nodes.set(s.node, [...(nodes.get(s.node) ?? []), s]);
  return [...nodes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function times(s: { startMs: number; endMs: number }) {
  return { StartTime: formatIsoBasic(s.startMs), EndTime: formatIsoBasic(s.endMs) };
}

/** The JSON answer. */
export function renderUsageJson(report: UsageReport): string {
  const access = report.access
    ? {
        Nodes: byNode(report.access).map(([node, samples]) => ({
          Node: node,
          Samples: samples.map((s) => {
            const ops = Object.entries(s.ops).map(([op, stats]) => [op, statsView(stats)] as const);
            return { ...times(s), ...Object.fromEntries(ops) };
          }),
        })),
        Errors: [],
      }
    : 'not_requested';
  const storage = report.storage
    ? {
        Samples: report.storage.map((s) => {
          const buckets = Object.entries(s.buckets).map(
            ([name, u]) => [name, bucketFields(s, name, u)] as const,
          );
          return { ...times(s), ...Object.fromEntries(buckets) };
        }),
        Errors: [],
      }
    : 'not_requested';
  return JSON.stringify({ Access: access, Storage: storage });
}

/** Escapes text and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function sampleOpen(s: { startMs: number; endMs: number }): string {
  const t = times(s);
  return `<Sample StartTime="${t.StartTime}" EndTime="${t.EndTime}">`;
}

function fieldsXml(fields: Record<string, number>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('');
}

function accessXml(samples: AccessSample[] | undefined): string {
  if (!samples) return 'not_requested';
  const nodes = byNode(samples).map(([node, list]) => {
    const inner = list.map((s) => {
      const ops = Object.entries(s.ops).map(
        ([op, stats]) =>
          `<Operation type="${escapeXml(op)}">${fieldsXml(statsView(stats))}</Operation>`,
      );
      return sampleOpen(s) + ops.join('') + '</Sample>';
    });
    return `<Node name="${escapeXml(node)}">${inner.join('')}</Node>`;
  });
  return `<Nodes>${nodes.join('')}</Nodes><Errors/>`;
}

function storageXml(samples: StorageSample[] | undefined): string {
  if (!samples) return 'not_requested';
  const inner = samples.map((s) => {
    const buckets = Object.entries(s.buckets).map(
      ([name, u]) =>
        `<Bucket name="${escapeXml(name)}">` + fieldsXml(bucketFields(s, name, u)) + '</Bucket>',
    );
    return sampleOpen(s) + buckets.join('') + '</Sample>';
  });
  return `<Samples>${inner.join('')}</Samples><Errors/>`;
}

/** The XML answer. */
export function renderUsageXml(report: UsageReport): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Usage>' +
    `<Access>${accessXml(report.access)}</Access>` +
    `<Storage>${storageXml(report.storage)}</Storage>` +
    '</Usage>'
  );
}

/** Riak CS's usage error body. */
export function renderUsageError(message: string, format: 'json' | 'xml'): string {
  if (format === 'json') return JSON.stringify({ Error: { Message: message } });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Message>${escapeXml(message)}</Message></Error>`
  );
}
