/**
 * Renders a run as plain-text tables for stdout (and for pasting into BENCHMARKS.md): every
 * figure beside its ceiling and its peer, with the ratios. Pure: it returns strings.
 */
import type { GoalVerdict } from './goals.js';
import type { MachineFigure, ResultEntry } from './results.js';
import { ratio } from './stats.js';

/** A figure for humans: thousands separated, about three significant digits. */
export function formatFigure(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.1) return value.toFixed(2);
  return value === 0 ? '0' : value.toPrecision(2);
}

/** A ratio for humans, two decimals; `-` when either side is missing. */
export function formatRatio(a: number | null | undefined, b: number | null | undefined): string {
  const r = ratio(a, b);
  return Number.isFinite(r) ? r.toFixed(2) : '-';
}

function renderRows(rows: readonly string[][], rightAligned: ReadonlySet<number>): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

function notesOf(entry: ResultEntry): string {
  const parts: string[] = [];
  if (entry.errors) parts.push(`ERRORS: ${entry.errors}`);
  if (entry.note) parts.push(entry.note);
  return parts.join('; ');
}

/** The results table: figure, unit, Cairn, ceiling, Cairn/ceiling, peer, Cairn/peer, notes. */
export function renderResults(entries: readonly ResultEntry[]): string {
  const header = ['figure', 'unit', 'cairn', 'ceiling', 'c/ceil', 'peer', 'c/peer', 'notes'];
  const rows = entries.map((e) => [
    e.name,
    `${e.unit}${e.better === 'lower' ? ' (v)' : ''}`,
    formatFigure(e.cairn),
    formatFigure(e.ceiling),
    formatRatio(e.cairn, e.ceiling),
    formatFigure(e.peer),
    formatRatio(e.cairn, e.peer),
    notesOf(e),
  ]);
  const legend =
    '(v): lower is better. c/ceil and c/peer are Cairn divided by the ceiling and the peer.';
  return `${renderRows([header, ...rows], new Set([2, 3, 4, 5, 6]))}\n${legend}`;
}

/** The machine's own ceilings. */
export function renderMachine(figures: readonly MachineFigure[]): string {
  const rows = figures.map((f) => [f.name, f.unit, formatFigure(f.value)]);
  return renderRows([['machine', 'unit', 'value'], ...rows], new Set([2]));
}

/** The targets of the issue and whether the run met them. */
export function renderGoals(goals: readonly GoalVerdict[]): string {
  const mark = (met: boolean | null) => (met === null ? 'n/a' : met ? 'MET' : 'NOT MET');
  const rows = goals.map((g) => [mark(g.met), g.goal, g.detail]);
  return renderRows([['verdict', 'target', 'measured'], ...rows], new Set());
}
