/**
 * The layering check can fail: dependency-cruiser, run with the project's own
 * .dependency-cruiser.cjs on a small tree that breaks each rule once, reports each
 * violation; the same tree without the offending imports passes. Without this, a config
 * that silently matched nothing (a path typo, a parser that fell back to finding no
 * imports) would keep `npm run lint` green whatever the code did.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEPCRUISE = resolve(
  ROOT,
  'tools/lint/node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
);
/** npm ci of tools/lint on a fresh clone takes about a minute here; the rest is headroom. */
const INSTALL_TIMEOUT_MS = 300_000;
const CRUISE_TIMEOUT_MS = 120_000;

/** The fixture: each offending import is marked so that the clean variant can drop it. */
const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
  }),
  'ring/core/hash.ts': "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
  'ring/core/bad.ts':
    "import { readFileSync } from 'node:fs'; // BAD core-is-pure\n" +
    "import { node } from '../node/node.js'; // BAD ring-core-only-core\n" +
    "import { h } from './hash.js';\nexport const bad = [h];\n" +
    'export const more = [readFileSync, node]; // BAD\n',
  'ring/node/node.ts': "import { h } from '../core/hash.js';\nexport const node = h;\n",
  'ring/client.ts':
    "import { node } from './node/node.js'; // BAD ring-client-not-node\n" +
    "import { h } from './core/hash.js';\nexport const client = [h];\n" +
    'export const more = [node]; // BAD\n',
  'src/s3/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'src/s3/b.ts':
    "import { a } from './a.js'; // BAD no-circular\n" +
    "import { e } from '../http/errors.js';\nexport const b = [e];\n" +
    'export const more = [a]; // BAD\n',
  'src/http/errors.ts':
    "import { a } from '../s3/a.js'; // BAD http-below-apis\n" +
    'export const e = 1;\nexport const more = [a]; // BAD\n',
  'src/admin/users.ts':
    "import { b } from '../s3/b.js'; // BAD apis-side-by-side\n" +
    "import { e } from '../http/errors.js';\nexport const users = [e];\n" +
    'export const more = [b]; // BAD\n',
  'src/router.ts':
    "import { a } from './s3/a.js';\nimport { users } from './admin/users.js';\n" +
    "import { client } from '../ring/client.js';\nimport { bad } from '../ring/core/bad.js';\n" +
    'export const router = [a, users, client, bad];\n',
};

const EXPECTED = [
  'apis-side-by-side',
  'core-is-pure',
  'http-below-apis',
  'no-circular',
  'no-circular-folders',
  'ring-client-not-node',
  'ring-core-only-core',
];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Writes the fixture under `dir`, without the BAD lines when `clean`. */
function writeFixture(dir: string, clean: boolean): void {
  for (const [path, text] of Object.entries(FILES)) {
    const lines = text.split('\n').filter((line) => !(clean && line.includes('// BAD')));
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), lines.join('\n'));
  }
}

/** Runs node on `args` in `cwd`; its exit code and what it printed on stdout. */
function runNode(args: string[], cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const options = { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 };
    execFile(process.execPath, args, options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** The rule names dependency-cruiser reports on the tree in `dir`, sorted, once each. */
async function violatedRules(dir: string): Promise<string[]> {
  const config = resolve(ROOT, '.dependency-cruiser.cjs');
  const args = [DEPCRUISE, '--config', config, '--output-type', 'json', 'src', 'ring'];
  const { stdout, stderr } = await runNode(args, dir, CRUISE_TIMEOUT_MS);
  expect(stdout, stderr).not.toBe('');
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
}

describe('lint: layering rules', () => {
  let work = '';
  beforeAll(async () => {
    const install = await runNode(['tools/lint/install.mjs'], ROOT, INSTALL_TIMEOUT_MS);
    expect(install.code, install.stderr).toBe(0);
    work = mkdtempSync(join(tmpdir(), 'cairn-layering-'));
  }, INSTALL_TIMEOUT_MS + 10_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('dependency-cruiser reports every broken rule of the fixture', async () => {
    const dir = join(work, 'bad');
    writeFixture(dir, false);
    expect(await violatedRules(dir)).toEqual(EXPECTED);
  }, 130_000);

  it('dependency-cruiser passes the same fixture without the offending imports', async () => {
    const dir = join(work, 'clean');
    writeFixture(dir, true);
    expect(await violatedRules(dir)).toEqual([]);
  }, 130_000);
});
