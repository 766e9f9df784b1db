/**
 * Test code is type-checked like the code it tests: `tsc -p tsconfig.test.json` (src, ring,
 * stanchion, bench, scripts, test and vitest.config.ts) reports nothing. vitest strips
 * types without checking them, so without this a test can call a helper with the wrong
 * arguments and still run. `npm run typecheck` and .ci/run do the same check; this test is
 * here so that `npm test` fails on a type error even when nobody ran them. tsconfig.test.json
 * is incremental, so a run over an unchanged tree takes seconds.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC = resolve(ROOT, 'node_modules/typescript/bin/tsc');
/** A cold check takes about 15 s here; the rest is headroom for a loaded machine. */
const CHECK_TIMEOUT_MS = 170_000;

/** Runs tsc on `project`; its exit code and everything it printed. */
function typecheck(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSC, '-p', project, '--pretty', 'false'],
      { cwd: ROOT, timeout: CHECK_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('typecheck', () => {
  it('tsc -p tsconfig.test.json finds no error in the tests or the code', async () => {
    const { code, output } = await typecheck('tsconfig.test.json');
    expect(output.trim().split('\n').filter(Boolean), 'tsc diagnostics').toEqual([]);
    expect(code, 'tsc exit code').toBe(0);
  }, 180_000);
});
