/**
 * The soak's figures as text: one table line per sample, CSV rows (one per process per
 * sample, one per operation per sample) and the start / middle / end summary. Pure.
 */
import type { ProcessSample } from './probe.js';
import type { OpWindow } from './window.js';

/** Everything sampled at one moment. */
export interface SoakSample {
  /** Seconds since the workload started. */
  tS: number;
  processes: ProcessSample[];
  ops: OpWindow[];
}

const MB = 1e6;
const SHORT: Record<string, string> = {
  'put-small': 'ps',
  'put-large': 'pl',
  multipart: 'mp',
  get: 'g',
  delete: 'd',
  list: 'l',
};

function cell(value: number | null, digits = 0): string {
  return value === null || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** The names of the columns the table lines show, in order. */
export function tableHeader(names: readonly string[]): string {
  const who = names.join(' ');
  return `t(s) | RSS MB [${who}] | fds | data MB | ops err | p99 ms per op (${Object.entries(SHORT)
    .map(([op, s]) => `${s}=${op}`)
    .join(' ')})`;
}

/** One line of the table over time. */
export function tableLine(sample: SoakSample): string {
  const ps = sample.processes;
  const rss = ps.map((p) => cell(p.rssBytes === null ? null : p.rssBytes / MB)).join(' ');
  const fds = ps.map((p) => cell(p.fds)).join(' ');
  const data = ps
    .filter((p) => p.dataBytes !== null)
    .map((p) => cell(p.dataBytes! / MB, 1))
    .join(' ');
  const count = sample.ops.reduce((s, o) => s + o.count, 0);
  const errors = sample.ops.reduce((s, o) => s + o.errors, 0);
  const p99 = sample.ops.map((o) => `${SHORT[o.op]} ${cell(o.p99Ms)}`).join(' ');
  const t = String(Math.round(sample.tS)).padStart(5);
  return `${t} | ${rss} | ${fds} | ${data} | ${count} ${errors} | ${p99}`;
}

/** Header of processes.csv. */
export const PROCESS_CSV_HEADER = 't_s,process,pid,rss_bytes,fds,data_bytes';
/** Header of latency.csv. */
export const LATENCY_CSV_HEADER = 't_s,op,count,errors,p50_ms,p99_ms';

const csv = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : String(v));

/** processes.csv rows of one sample. */
export function processCsvRows(sample: SoakSample): string[] {
  return sample.processes.map((p) =>
    [sample.tS, p.name, csv(p.pid), csv(p.rssBytes), csv(p.fds), csv(p.dataBytes)].join(','),
  );
}

/** latency.csv rows of one sample. */
export function latencyCsvRows(sample: SoakSample): string[] {
  return sample.ops.map((o) =>
    [sample.tS, o.op, o.count, o.errors, csv(o.p50Ms), csv(o.p99Ms)].join(','),
  );
}

/** The cluster at one sample, in the few figures BENCHMARKS.md quotes. */
export interface SnapshotFigures {
  tS: number;
  /** Storage nodes only (dev*), by name. */
  rssMB: Record<string, number | null>;
  fds: Record<string, number | null>;
  dataMB: Record<string, number | null>;
  /** Storage nodes' data dirs together. */
  dataMBTotal: number;
  p99Ms: Record<string, number>;
  ops: number;
  errors: number;
}

function round(v: number | null, digits: number): number | null {
  return v === null ? null : Number(v.toFixed(digits));
}

/** The figures of one sample. */
export function snapshot(sample: SoakSample): SnapshotFigures {
  const rssMB: Record<string, number | null> = {};
  const fds: Record<string, number | null> = {};
  const dataMB: Record<string, number | null> = {};
  let dataTotal = 0;
  for (const p of sample.processes) {
    rssMB[p.name] = round(p.rssBytes === null ? null : p.rssBytes / MB, 1);
    fds[p.name] = p.fds;
    dataMB[p.name] = round(p.dataBytes === null ? null : p.dataBytes / MB, 1);
    if (p.name.startsWith('dev')) dataTotal += p.dataBytes ?? 0;
  }
  return {
    tS: sample.tS,
    rssMB,
    fds,
    dataMB,
    dataMBTotal: Number((dataTotal / MB).toFixed(1)),
    p99Ms: Object.fromEntries(sample.ops.map((o) => [o.op, Math.round(o.p99Ms)])),
    ops: sample.ops.reduce((s, o) => s + o.count, 0),
    errors: sample.ops.reduce((s, o) => s + o.errors, 0),
  };
}

/** Start, middle and end of the run (nothing for no samples). */
export function startMiddleEnd(samples: readonly SoakSample[]): SnapshotFigures[] {
  if (samples.length === 0) return [];
  const picks = [0, Math.floor((samples.length - 1) / 2), samples.length - 1];
  return picks.map((i) => snapshot(samples[i]!));
}
