/**
 * `npm run lint` passes: the layering rules (dependency-cruiser), ESLint with
 * typescript-eslint's type-aware rules, and prettier --check, run the way .ci/run runs them
 * (tools/lint/lint.mjs, which installs tools/lint's packages first when they are missing).
 * Here so that `npm test` fails on a lint finding even when nobody ran the linter, as
 * typecheck.test.ts does for tsc.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
/**
 * The type-aware ESLint pass takes about a minute of CPU over the whole tree (3 to 6 minutes
 * on this shared machine under load); a fresh clone adds an npm ci of tools/lint.
 */
const LINT_TIMEOUT_MS = 570_000;

describe('lint', () => {
  it('npm run lint (dependency-cruiser, eslint, prettier --check) finds nothing', async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done) => {
      const options = { cwd: ROOT, timeout: LINT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 };
      execFile(process.execPath, ['tools/lint/lint.mjs'], options, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, output: `${stdout}${stderr}` });
      });
    });
    expect(code, output).toBe(0);
  }, 580_000);
});
