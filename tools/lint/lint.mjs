#!/usr/bin/env node
// `npm run lint`: the layering check (dependency-cruiser, rules in .dependency-cruiser.cjs),
// ESLint with typescript-eslint (eslint.config.js) and prettier --check, all three run even
// when one fails, so one pass shows everything. The tools live in tools/lint/ with their
// own lockfile (they need the TypeScript 6 API; the project compiles with TypeScript 7,
// which has none); this installs them first when they are missing or older than the lock.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLintTools } from './install.mjs';

const TOOLS = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(TOOLS, '../..');
const MODULES = resolve(TOOLS, 'node_modules');
/** What the layering rules and ESLint cover: every program, the bench, scripts and tests. */
const CODE = ['src', 'ring', 'stanchion', 'bench', 'scripts'];
const LINTED = [
  ...CODE,
  'test',
  'console',
  'vitest.config.ts',
  'eslint.config.js',
  '.dependency-cruiser.cjs',
];
const FORMATTED = [
  '{src,ring,stanchion,bench,scripts,test}/**/*.ts',
  'console/**/*.{ts,tsx,css,html}',
  'vitest.config.ts',
  'eslint.config.js',
  '.dependency-cruiser.cjs',
  'tools/lint/*.mjs',
];

/** Runs one tool from the project root; whether it passed. */
function run(name, args) {
  console.log(`lint: ${name}`);
  const { status, error } = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (error) console.error(`lint: ${name} did not run: ${error.message}`);
  return status === 0;
}

ensureLintTools();
const results = [
  run('dependency-cruiser', [
    resolve(MODULES, 'dependency-cruiser/bin/dependency-cruise.mjs'),
    ...['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...CODE],
  ]),
  run('eslint', [resolve(MODULES, 'eslint/bin/eslint.js'), '--max-warnings', '0', ...LINTED]),
  run('prettier', [
    resolve(ROOT, 'node_modules/prettier/bin/prettier.cjs'),
    '--check',
    ...FORMATTED,
  ]),
];
process.exit(results.every(Boolean) ? 0 : 1);
