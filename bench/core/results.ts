/**
 * The figures of one benchmark run and the JSON document they are saved as. One entry per
 * figure, with Cairn's value beside the peer's and the ceiling's, so runs can be compared by
 * script (`{"results": [{"name","unit","cairn","peer"?,"ceiling"?}, ...]}`). Pure: no I/O.
 */

/** Which server a figure was measured on. */
export type Role = 'cairn' | 'peer' | 'ceiling';

/** Whether a larger value of a figure is better (throughput) or worse (latency, cost). */
export type Better = 'higher' | 'lower';

/** What names a figure. */
export interface FigureKey {
  /** Stable name, e.g. `put-4KiB-c16`. */
  name: string;
  /** Unit, e.g. `ops/s`, `ms`, `MB/s` (10^6 bytes per second). */
  unit: string;
  better: Better;
}

/** One figure of the run. A `null` value was attempted but could not be measured. */
export interface ResultEntry extends FigureKey {
  cairn: number | null;
  peer?: number | null;
  ceiling?: number | null;
  /** Failed requests (non-2xx or network errors) behind any of the values. */
  errors?: number;
  /** Why a value is missing or how to read it, e.g. `not implemented (501)`. */
  note?: string;
}

/** A property of the machine itself (disk, MD5), measured in the same run. */
export interface MachineFigure {
  name: string;
  unit: string;
  value: number;
}

/** Collects figures as the phases measure them, keeping the order they first appear in. */
export class ResultBook {
  private readonly entries = new Map<string, ResultEntry>();

  /** Records `value` of `figure` for `role`; `errors` adds to the entry's error count. */
  record(figure: FigureKey, role: Role, value: number | null, errors = 0): void {
    const entry = this.entryFor(figure);
    entry[role] = value === null || Number.isFinite(value) ? value : null;
    if (errors > 0) entry.errors = (entry.errors ?? 0) + errors;
  }

  /** Appends a note to a figure (creating it with no values if needed). */
  note(figure: FigureKey, text: string): void {
    const entry = this.entryFor(figure);
    entry.note = entry.note ? `${entry.note}; ${text}` : text;
  }

  /** The value recorded for `name` and `role`, if any. */
  value(name: string, role: Role): number | null | undefined {
    return this.entries.get(name)?.[role];
  }

  /** Every entry, in first-recorded order. */
  list(): ResultEntry[] {
    return [...this.entries.values()];
  }

  /** Total failed requests over all figures. */
  errorCount(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.errors ?? 0;
    return total;
  }

  private entryFor(figure: FigureKey): ResultEntry {
    let entry = this.entries.get(figure.name);
    if (!entry) {
      entry = { name: figure.name, unit: figure.unit, better: figure.better, cairn: null };
      this.entries.set(figure.name, entry);
    }
    return entry;
  }
}

/** The saved document; `results` is the part meant for scripts. */
export interface BenchDocument {
  results: ResultEntry[];
  machine: MachineFigure[];
  goals: unknown[];
  /** True when any request failed: the figures of such a run are suspect. */
  flagged: boolean;
  errorSamples: string[];
  meta: Record<string, unknown>;
}

/** Rounds to 4 significant digits so the JSON stays readable; null for non-finite. */
export function roundFigure(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(4));
}

/** Builds the JSON document of a run from its figures. */
export function benchDocument(
  results: readonly ResultEntry[],
  machine: readonly MachineFigure[],
  extra: { goals: unknown[]; errorSamples: string[]; meta: Record<string, unknown> },
): BenchDocument {
  const rounded = results.map((entry) => {
    const out: ResultEntry = { ...entry, cairn: roundFigure(entry.cairn) };
    if (entry.peer !== undefined) out.peer = roundFigure(entry.peer);
    if (entry.ceiling !== undefined) out.ceiling = roundFigure(entry.ceiling);
    return out;
  });
  const errorTotal = results.reduce((sum, entry) => sum + (entry.errors ?? 0), 0);
  return {
    results: rounded,
    machine: machine.map((m) => ({ ...m, value: roundFigure(m.value) ?? Number.NaN })),
    goals: extra.goals,
    flagged: errorTotal > 0,
    errorSamples: extra.errorSamples,
    meta: extra.meta,
  };
}
