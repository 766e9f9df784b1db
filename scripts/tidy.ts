/**
 * The house limits, checked by a program rather than by review (TigerBeetle's tidy.zig):
 * lines of at most 100 columns and functions of at most 70 lines. Run as a unit test
 * (`npm run tidy` runs just that one).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Longest allowed line, in columns. */
export const LINE_COLUMNS_MAX = 100;
/** Longest allowed function, in lines. */
export const FUNCTION_LINES_MAX = 70;

const ROOTS = ['src', 'ring', 'stanchion', 'bench', 'scripts', 'test', 'console'];

/** One broken limit. */
export interface TidyViolation {
  file: string;
  line: number;
  problem: string;
}

/** Every .ts and .tsx file below the roots of `repo`. */
export function sourceFiles(repo: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name)) files.push(path);
    }
  };
  for (const root of ROOTS) {
    try {
      walk(join(repo, root));
    } catch {
      // A root that does not exist yet has nothing to check.
    }
  }
  return files;
}

const FUNCTION_START = new RegExp(
  [
    String.raw`^(\s*)(export\s+)?(async\s+)?(function\*?\s+\w+`,
    String.raw`|(private\s+|static\s+|public\s+)*(async\s+)?\*?\w+\s*\([^)]*\)?[^=;]*\{$`,
    String.raw`|(const|let)\s+\w+\s*=\s*(async\s*)?\([^)]*\)?.*=>\s*\{$)`,
  ].join(''),
);

/** The violations in one file's text. */
export function checkText(file: string, text: string): TidyViolation[] {
  const violations: TidyViolation[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.length > LINE_COLUMNS_MAX) {
      violations.push({ file, line: i + 1, problem: `line of ${line.length} columns` });
    }
  });
  for (let i = 0; i < lines.length; i++) {
    const match = FUNCTION_START.exec(lines[i]!);
    if (!match || /^\s*(if|for|while|switch|catch|return)\b/.test(lines[i]!)) continue;
    const indent = match[1]!;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(`${indent}}`));
    if (end > 0 && end - i - 1 > FUNCTION_LINES_MAX) {
      violations.push({ file, line: i + 1, problem: `function of ${end - i - 1} lines` });
    }
  }
  return violations;
}

/** Every violation in the repo at `repo`. */
export function tidy(repo: string): TidyViolation[] {
  return sourceFiles(repo).flatMap((file) =>
    checkText(relative(repo, file), readFileSync(file, 'utf8')),
  );
}
