/**
 * No text a client sends may become a regular expression: a backtracking RegExp built from
 * a tenant's pattern (a policy's `a*a*a*…*b`) can hold the event loop for seconds. Wildcards
 * go through src/s3/wildcard.ts. This test reads every source file of the three programs and
 * fails on any RegExp built from anything but a literal, and on any String#match, #matchAll
 * or #search whose argument is not a regular expression literal (given a string, they build
 * a RegExp from it).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/tidy.js';

const REPO = resolve(import.meta.dirname, '../..');
const PROGRAMS = ['src', 'ring', 'stanchion'];

/** The end of the string literal opening at `start` (its closing quote), or -1. */
function literalEnd(text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (quote === '`' && text.startsWith('${', i)) return -1;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function skipBlanks(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** Whether the argument list opening at `open` starts with one literal string argument. */
function literalArgument(text: string, open: number): boolean {
  let at = skipBlanks(text, open);
  if (text.startsWith('String.raw`', at)) at += 'String.raw'.length;
  if (!['"', "'", '`'].includes(text[at] ?? '')) return false;
  const end = literalEnd(text, at);
  if (end < 0) return false;
  const next = text[skipBlanks(text, end + 1)];
  return next === ',' || next === ')';
}

/** Names the file binds to a regular expression literal (`const re = /…/`). */
function regexNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*\//g)) names.add(match[1]!);
  return names;
}

/** Every dynamic regular expression in one file's text, as `line: code`. */
function dynamicRegExps(text: string): string[] {
  const found: string[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const report = (index: number) =>
    found.push(`${lineOf(index)}: ${text.split('\n')[lineOf(index) - 1]!.trim()}`);
  for (const match of text.matchAll(/\bRegExp\s*\(/g)) {
    if (!literalArgument(text, match.index + match[0].length)) report(match.index);
  }
  const names = regexNames(text);
  for (const match of text.matchAll(/\.(?:match|matchAll|search)\s*\(/g)) {
    const at = skipBlanks(text, match.index + match[0].length);
    const word = /^\w+/.exec(text.slice(at, at + 100))?.[0];
    const regexLiteral = text[at] === '/';
    if (!regexLiteral && (word === undefined || !names.has(word))) report(match.index);
  }
  return found;
}

describe('no dynamic regular expressions', () => {
  it('finds RegExps built from anything but a literal', () => {
    const bad = [
      'new RegExp(pattern)',
      'new RegExp(`^${glob}$`, "s")',
      "new RegExp('^' + user + '$')",
      'RegExp(name)',
      'text.match(userPattern)',
      "text.search('a.b')",
      'text.matchAll(other)',
    ];
    for (const code of bad) expect(dynamicRegExps(code), code).toHaveLength(1);
    const fine = [
      "new RegExp('^a+$')",
      'new RegExp("x", "g")',
      'new RegExp(`plain`)',
      'new RegExp(String.raw`\\d+`, "u")',
      'text.match(/a/)',
      'const re = /;/g;\ntext.matchAll(re)',
      '// mentions RegExp in prose without a call',
    ];
    for (const code of fine) expect(dynamicRegExps(code), code).toEqual([]);
  });

  it('holds for every file of src/, ring/ and stanchion/', () => {
    const files = sourceFiles(REPO).filter((file) =>
      PROGRAMS.some((root) => relative(REPO, file).startsWith(`${root}/`)),
    );
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) =>
      dynamicRegExps(readFileSync(file, 'utf8')).map((hit) => `${relative(REPO, file)}:${hit}`),
    );
    expect(found).toEqual([]);
  });
});
