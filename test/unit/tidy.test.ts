/**
 * The house limits hold over the whole tree: lines ≤ 100 columns, functions ≤ 70 lines.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkText, tidy } from '../../scripts/tidy.js';

describe('tidy', () => {
  it('finds long lines and long functions', () => {
    const long = 'x'.repeat(101);
    const body = Array.from({ length: 71 }, () => '  call();').join('\n');
    const found = checkText('f.ts', `${long}\nfunction big() {\n${body}\n}\n`);
    expect(found.map((v) => v.problem)).toEqual(['line of 101 columns', 'function of 71 lines']);
  });

  it('holds for every source file in the repo', () => {
    const violations = tidy(resolve(import.meta.dirname, '../..'));
    expect(violations.map((v) => `${v.file}:${v.line}: ${v.problem}`)).toEqual([]);
  });
});
