#!/usr/bin/env node
// Installs tools/lint's packages from its own lockfile (npm ci) unless they are there and
// at least as new as the lock. Run directly, or imported by lint.mjs; the tests that run
// the linters call it first, so a fresh clone needs no extra step.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOLS = dirname(fileURLToPath(import.meta.url));

/** Installs the lint tools if needed; exits the process when npm ci fails. */
export function ensureLintTools() {
  const installed = resolve(TOOLS, 'node_modules/.package-lock.json');
  const lock = resolve(TOOLS, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('lint: installing tools/lint (npm ci)');
  const args = ['ci', '--prefix', TOOLS, '--no-audit', '--no-fund'];
  const { status } = spawnSync('npm', args, { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureLintTools();
