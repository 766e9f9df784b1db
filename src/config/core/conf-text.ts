/**
 * Reads the text of a config file in cuttlefish's syntax (riak.conf, riak-cs.conf): one
 * `key = value` per line, dotted keys, `#` comments (whole lines, or after a value), values
 * optionally in double quotes (which may then hold a `#`). Every problem names its line;
 * a key set twice is a problem too, never a silent last-one-wins. Pure.
 */

/** One setting as written: its key, its raw value and its line (1-based). */
export interface ConfEntry {
  key: string;
  value: string;
  line: number;
}

/** A problem at a line of the file. */
export interface ConfProblem {
  line: number;
  message: string;
}

/** Longest accepted file, in characters, and longest line. */
export const CONF_CHARS_MAX = 1024 * 1024;
const LINE_CHARS_MAX = 4096;

const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_$-]+)*$/;

/** The entries of `text`, and every problem found (the entries are then incomplete). */
export function parseConfText(text: string): { entries: ConfEntry[]; problems: ConfProblem[] } {
  const entries: ConfEntry[] = [];
  const problems: ConfProblem[] = [];
  if (text.length > CONF_CHARS_MAX) {
    return { entries, problems: [{ line: 0, message: 'file larger than 1 MiB' }] };
  }
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const parsed = parseLine(raw);
    if (parsed === undefined) return;
    if ('message' in parsed) return void problems.push({ line, message: parsed.message });
    const earlier = firstLine.get(parsed.key);
    if (earlier !== undefined) {
      problems.push({ line, message: `${parsed.key} is already set on line ${earlier}` });
      return;
    }
    firstLine.set(parsed.key, line);
    entries.push({ ...parsed, line });
  });
  return { entries, problems };
}

/** One line: undefined when blank or a comment. */
function parseLine(raw: string): { key: string; value: string } | { message: string } | undefined {
  if (raw.length > LINE_CHARS_MAX) return { message: 'line longer than 4096 characters' };
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const eq = text.indexOf('=');
  if (eq < 0) return { message: `expected key = value, not "${clip(text)}"` };
  const key = text.slice(0, eq).trim();
  if (!KEY.test(key)) return { message: `not a setting name: "${clip(key)}"` };
  const value = parseValue(text.slice(eq + 1));
  if (typeof value !== 'string') return value;
  if (value === '') return { message: `${key} has no value` };
  return { key, value };
}

/** The value after `=`: quoted (a `#` inside is kept), or up to a comment. */
function parseValue(rest: string): string | { message: string } {
  const text = rest.trim();
  if (!text.startsWith('"')) {
    const hash = text.indexOf('#');
    return (hash < 0 ? text : text.slice(0, hash)).trim();
  }
  const close = text.indexOf('"', 1);
  if (close < 0) return { message: 'a quoted value has no closing quote' };
  const after = text.slice(close + 1).trim();
  if (after !== '' && !after.startsWith('#')) {
    return { message: `unexpected text after the closing quote: "${clip(after)}"` };
  }
  return text.slice(1, close);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Renders entries back as config text (what a round trip of parseConfText reads again). */
export function renderConfText(entries: ReadonlyArray<{ key: string; value: string }>): string {
  return entries
    .map(({ key, value }) => {
      const quote = value.includes('#') || value !== value.trim() || value.includes('"');
      return `${key} = ${quote ? `"${value}"` : value}`;
    })
    .join('\n');
}
