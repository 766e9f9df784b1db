/**
 * Skipped tests say why: skipWith keeps the reason, the reporter lists each skipped test
 * under it at the end of the run, and no test file skips through vitest's reasonless forms.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipWith } from '../helpers/skip.js';
import { skipSummary } from '../reporters/skip-reasons.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function testFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await testFiles(path)));
    else if (entry.name.endsWith('.ts')) found.push(path);
  }
  return found;
}

describe('skip reasons', () => {
  it('skipWith skips only with a reason, keeps it, and keeps the time bound', () => {
    expect(skipWith(undefined)).toEqual({});
    expect(skipWith(undefined, 5000)).toEqual({ timeout: 5000 });
    expect(skipWith('rclone is not installed', 5000)).toEqual({
      timeout: 5000,
      skip: true,
      meta: { skipReason: 'rclone is not installed' },
    });
  });

  it('the summary lists each skipped test under its reason, and flags one with none', () => {
    const lines = skipSummary([
      { file: 'test/a.test.ts', name: 'x > boto', reason: 'python3-boto is not installed' },
      { file: 'test/b.test.ts', name: 'boto too', reason: 'python3-boto is not installed' },
      { file: 'test/c.test.ts', name: 'bare', reason: undefined },
    ]);
    expect(lines).toEqual([
      'Skipped 3 test(s):',
      '  python3-boto is not installed:',
      '    test/a.test.ts > x > boto',
      '    test/b.test.ts > boto too',
      '  no reason given (use skipWith or ctx.skip(reason)):',
      '    test/c.test.ts > bare',
    ]);
    expect(skipSummary([])).toEqual([]);
  });

  it('under -t, tests with no reason were filtered out: counted, not listed', () => {
    const lines = skipSummary(
      [
        { file: 'f.test.ts', name: 'kept', reason: 'needs root' },
        { file: 'f.test.ts', name: 'other', reason: undefined },
      ],
      true,
    );
    expect(lines).toEqual([
      'Skipped 1 test(s):',
      '  needs root:',
      '    f.test.ts > kept',
      '1 test(s) left out by the test name filter (-t)',
    ]);
  });

  it('no test file skips without a reason (skipIf, runIf, .skip)', async () => {
    const reasonless = /\b(?:it|test|describe)\s*\.\s*(?:skipIf|runIf|skip)\b/;
    const offenders: string[] = [];
    for (const file of await testFiles(join(ROOT, 'test'))) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (reasonless.test(line)) offenders.push(`${relative(ROOT, file)}:${i + 1}: ${line}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
