/**
 * bin/cairn.js and bin/cairn-admin.js in a tree with no dist/ (a fresh clone before `npm
 * run build`): one line saying what to run, exit 1, no stack trace.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../../bin');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-bin-'));
  await cp(BIN, join(root, 'bin'), { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bin before a build', () => {
  it.each(['cairn', 'cairn-admin'])('%s says to run npm run build', async (name) => {
    const result = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(process.execPath, [join(root, 'bin', `${name}.js`), '--version'], (e, _o, stderr) =>
        done({ code: typeof e?.code === 'number' ? e.code : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${name}: not built yet: run \`npm run build\` in ${root}/\n`);
  });
});
