/**
 * Settled settings written back as config lines (`key = value  # origin`), secrets shown
 * as "(set)": what `cairn chkconfig` prints and `cairn-admin cluster-info` records. Pure.
 */
import type { ResolvedSettings } from './resolve.js';
import type { Program, Setting } from './setting.js';
import { settingsFor } from './settings.js';

/** One config line per setting of `program` that has a value. */
export function renderSettings(program: Program, resolved: ResolvedSettings): string[] {
  const lines: string[] = [];
  const done = new Set<string>();
  for (const row of settingsFor(program)) {
    if (!(row.name in resolved.values) || row.key === undefined || done.has(row.key)) continue;
    done.add(row.key);
    const origin = resolved.origins[row.name];
    lines.push(`${row.key} = ${shown(program, row, resolved)}  # ${origin}`);
  }
  return lines;
}

function shown(program: Program, row: Setting, resolved: ResolvedSettings): string {
  if (row.secret) return '(set)';
  if (row.fromKey) {
    // listener: host and port are two settings written as one key.
    const host = String(resolved.values['host']);
    const port = String(resolved.values['port']);
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }
  void program;
  return row.type.format(resolved.values[row.name]);
}
