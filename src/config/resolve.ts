/**
 * Settles every setting of one program from its four sources, in order: a flag, then a
 * CAIRN_* variable, then the config file, then the default. Each source is parsed by the
 * same value type, and every problem is collected (a flag, a variable, or file:line), so
 * one run shows everything wrong at once. Pure: the caller reads the file and prints.
 */
import { parseConfText, type ConfEntry } from './core/conf-text.js';
import { nearest } from './core/suggest.js';
import { ValueError } from './core/values.js';
import { foreignKey } from './foreign-keys.js';
import { settingsFor, SETTINGS } from './settings.js';
import type { Program, Setting } from './setting.js';
import { testVariableProblems } from './test-variables.js';

/** Where a value came from. */
export type Origin = 'flag' | 'env' | 'file' | 'default';

/** What the program was given. */
export interface SettingSources {
  /** Values commander parsed from the command line, by setting name. */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  file?: { path: string; text: string };
}

/** The settled settings. */
export interface ResolvedSettings {
  values: Record<string, unknown>;
  origins: Record<string, Origin>;
  /** Refusals: the program must not start. */
  problems: string[];
  /** Keys read but ignored, with the reason. */
  notices: string[];
}

/** Settles `program`'s settings from `sources`. */
export function resolveSettings(program: Program, sources: SettingSources): ResolvedSettings {
  const rows = settingsFor(program);
  const result: ResolvedSettings = { values: {}, origins: {}, problems: [], notices: [] };
  const fromFile = sources.file
    ? readFile(program, rows, sources.file, result)
    : new Map<string, FileValue>();
  for (const row of rows) {
    const settled = settle(row, sources, fromFile.get(row.name));
    if (settled === undefined) continue;
    if ('problem' in settled) result.problems.push(settled.problem);
    else {
      result.values[row.name] = settled.value;
      result.origins[row.name] = settled.origin;
    }
  }
  result.problems.push(...testVariableProblems(sources.env));
  result.problems = ordered(result.problems, sources.file?.path);
  return result;
}

/** Problems without repeats (a bad listener is two settings' problem), file lines first. */
function ordered(problems: string[], path: string | undefined): string[] {
  const lineOf = (p: string) =>
    path !== undefined && p.startsWith(`${path}:`)
      ? Number(p.slice(path.length + 1).split(':')[0])
      : Infinity;
  return [...new Set(problems)].sort((a, b) => lineOf(a) - lineOf(b));
}

type Settled = { value: unknown; origin: Origin } | { problem: string } | undefined;

function settle(row: Setting, sources: SettingSources, file: FileValue | undefined): Settled {
  const flag = sources.flags[row.name];
  if (flag !== undefined) {
    return parseAs(row, flag === true ? 'on' : String(flag), 'flag', flagName(row));
  }
  const env = row.env ? sources.env[row.env] : undefined;
  if (env !== undefined && env !== '') return parseAs(row, env, 'env', row.env!);
  if (file) return 'value' in file ? { value: file.value, origin: 'file' } : file;
  if (row.default !== undefined) return { value: row.default, origin: 'default' };
  if (!row.required) return undefined;
  const ways = [row.flag && flagName(row), row.env, row.key && `${row.key} in --config`];
  const hint = row.requiredHint ? `; ${row.requiredHint}` : '';
  return { problem: `${row.name} is required: set ${ways.filter(Boolean).join(', or ')}${hint}` };
}

function flagName(row: Setting): string {
  return row.flag?.split(' ')[0] ?? row.name;
}

function parseAs(row: Setting, raw: string, origin: Origin, where: string): Settled {
  try {
    return { value: row.type.parse(raw), origin };
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    return { problem: `${where}: ${error.message}` };
  }
}

type FileValue = { value: unknown } | { problem: string };

function readFile(
  program: Program,
  rows: readonly Setting[],
  file: { path: string; text: string },
  result: ResolvedSettings,
): Map<string, FileValue> {
  const { entries, problems } = parseConfText(file.text);
  for (const p of problems) result.problems.push(`${file.path}:${p.line}: ${p.message}`);
  const values = new Map<string, FileValue>();
  const byKey = keyIndex(rows);
  for (const entry of entries) {
    const at = `${file.path}:${entry.line}`;
    const owners = byKey.get(entry.key);
    if (owners) readEntry(entry, at, owners, values);
    else placeOther(program, entry, at, byKey, result);
  }
  checkAliases(rows, entries, file.path, result);
  return values;
}

function readEntry(
  entry: ConfEntry,
  at: string,
  owners: Setting[],
  values: Map<string, FileValue>,
) {
  for (const row of owners) {
    try {
      const raw = row.fromKey ? row.fromKey(entry.value) : entry.value;
      values.set(row.name, { value: row.type.parse(raw) });
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      values.set(row.name, { problem: `${at}: ${entry.key}: ${error.message}` });
    }
  }
}

/** A key this program does not read: foreign, another program's, or unknown. */
function placeOther(
  program: Program,
  entry: ConfEntry,
  at: string,
  byKey: Map<string, Setting[]>,
  result: ResolvedSettings,
) {
  const owners = SETTINGS.filter((s) => s.key === entry.key || s.keyAliases?.includes(entry.key));
  // A key another program reads (ssl.certfile in a stanchion's file) is theirs, not foreign.
  const foreign = owners.length === 0 ? foreignKey(entry.key) : undefined;
  if (foreign) {
    const value = entry.value.trim().toLowerCase();
    if (foreign.harmless && !foreign.harmless.includes(value)) {
      result.problems.push(`${at}: ${entry.key} = ${entry.value}: not supported: ${foreign.why}`);
    } else result.notices.push(`${at}: ${entry.key} ignored: ${foreign.why}`);
    return;
  }
  if (owners.length > 0) {
    const programs = [...new Set(owners.flatMap((s) => s.programs))].join(', ');
    result.notices.push(
      `${at}: ${entry.key} ignored: cairn ${program} does not use it (${programs} do)`,
    );
    return;
  }
  const suggestion = nearest(entry.key, byKey.keys());
  result.problems.push(
    `${at}: unknown setting ${entry.key}` +
      (suggestion ? ` (did you mean ${suggestion}?)` : ` (see the README's table of keys)`),
  );
}

function keyIndex(rows: readonly Setting[]): Map<string, Setting[]> {
  const byKey = new Map<string, Setting[]>();
  for (const row of rows) {
    for (const key of [row.key, ...(row.keyAliases ?? [])]) {
      if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
  }
  return byKey;
}

/** A setting written under two of its names (root_host and cs_root_host) is ambiguous. */
function checkAliases(
  rows: readonly Setting[],
  entries: ConfEntry[],
  path: string,
  result: ResolvedSettings,
) {
  for (const row of rows) {
    const names = [row.key, ...(row.keyAliases ?? [])];
    const found = entries.filter((e) => names.includes(e.key));
    if (found.length > 1) {
      const lines = found.map((e) => `${e.key} (line ${e.line})`).join(' and ');
      result.problems.push(`${path}:${found[1]!.line}: ${lines} set the same setting: keep one`);
    }
  }
}
