/**
 * The import's tally and its final report: counts and bytes, every object (or user or
 * bucket) it could not copy and why, and every object copied with a different ETag. Pure.
 */

/** Something that was not copied, and why. */
export interface Problem {
  what: 'user' | 'bucket' | 'object';
  /** The user's key id, the bucket's name, or the object's bucket and key. */
  user?: string;
  bucket?: string;
  key?: string;
  reason: string;
}

/** An object copied whole whose ETag could not be kept. */
export interface EtagChange {
  bucket: string;
  key: string;
  sourceEtag: string;
  targetEtag: string;
  reason: string;
}

/** Counts of one kind of thing. */
export interface Counts {
  /** Created or copied by this run. */
  done: number;
  /** Already there and the same (left alone). */
  present: number;
  /** Brought into line (a user's status). */
  updated: number;
  failed: number;
}

/** Everything a run did. */
export interface ImportReport {
  users: Counts;
  buckets: Counts;
  objects: Counts;
  bytesCopied: number;
  problems: Problem[];
  /** Problems past PROBLEMS_KEPT_MAX, counted but not kept. */
  problemsDropped: number;
  etagChanges: EtagChange[];
  notes: string[];
}

/** Most problems (and ETag changes) a report lists; the rest are counted. */
export const PROBLEMS_KEPT_MAX = 10_000;

const zero = (): Counts => ({ done: 0, present: 0, updated: 0, failed: 0 });

/** An empty report. */
export function emptyReport(): ImportReport {
  return {
    users: zero(),
    buckets: zero(),
    objects: zero(),
    bytesCopied: 0,
    problems: [],
    problemsDropped: 0,
    etagChanges: [],
    notes: [],
  };
}

/** Records a failure: counted under its kind and listed (up to PROBLEMS_KEPT_MAX). */
export function addProblem(report: ImportReport, problem: Problem): void {
  const counts = { user: report.users, bucket: report.buckets, object: report.objects };
  counts[problem.what].failed++;
  if (report.problems.length < PROBLEMS_KEPT_MAX) report.problems.push(problem);
  else report.problemsDropped++;
}

/** 0: everything is across; 2: the run finished but something could not be copied. */
export function exitCodeOf(report: ImportReport): number {
  return report.problems.length + report.problemsDropped > 0 ? 2 : 0;
}

/** Bytes for people: 1023 B, 12.3 MiB, 4.00 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function countsLine(name: string, c: Counts, verb: string): string {
  const parts = [`${c.done} ${verb}`, `${c.present} already there`];
  if (c.updated > 0) parts.push(`${c.updated} updated`);
  parts.push(`${c.failed} failed`);
  return `${name}: ${parts.join(', ')}`;
}

function problemLine(p: Problem): string {
  if (p.what === 'object') return `  object ${p.bucket}/${JSON.stringify(p.key)}: ${p.reason}`;
  if (p.what === 'bucket') return `  bucket ${p.bucket}: ${p.reason}`;
  return `  user ${p.user}: ${p.reason}`;
}

/** The final report, as text. */
export function renderReport(report: ImportReport, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const lines = [
    'Import report',
    countsLine('users', report.users, 'created'),
    countsLine('buckets', report.buckets, 'created'),
    countsLine('objects', report.objects, 'copied'),
    `bytes copied: ${formatBytes(report.bytesCopied)} in ${seconds.toFixed(1)} s ` +
      `(${formatBytes(report.bytesCopied / seconds)}/s)`,
  ];
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.etagChanges.length > 0) {
    lines.push(`copied with a different ETag (${report.etagChanges.length}):`);
    for (const c of report.etagChanges) {
      lines.push(
        `  object ${c.bucket}/${JSON.stringify(c.key)}: ${c.sourceEtag} -> ${c.targetEtag}` +
          ` (${c.reason})`,
      );
    }
  }
  const failed = report.problems.length + report.problemsDropped;
  lines.push(failed === 0 ? 'not copied: nothing' : `not copied (${failed}):`);
  for (const p of report.problems) lines.push(problemLine(p));
  if (report.problemsDropped > 0) lines.push(`  ...and ${report.problemsDropped} more`);
  return lines.join('\n') + '\n';
}
