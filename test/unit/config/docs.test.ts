/**
 * The documentation of the settings is the settings table: the README's table is written
 * from it (npm run settings-table), and cairn.conf.example reads clean.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsMarkdown } from '../../../src/config/docs.js';
import { resolveSettings } from '../../../src/config/resolve.js';

const root = resolve(import.meta.dirname, '../../..');

describe('settings: documentation', () => {
  it("the README's table is the settings table (npm run settings-table writes it)", () => {
    const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
    const table = /<!-- settings:begin -->\n([\s\S]*)\n<!-- settings:end -->/.exec(readme)?.[1];
    expect(table).toBe(settingsMarkdown());
  });

  it('cairn.conf.example reads clean for cairn start, every key known', () => {
    const text = readFileSync(resolve(root, 'cairn.conf.example'), 'utf8');
    const settled = resolveSettings('start', {
      flags: {},
      env: {},
      file: { path: 'cairn.conf.example', text },
    });
    expect(settled.problems).toEqual([]);
    expect(settled.notices).toEqual([]);
    // Every commented example is a real key with a valid value, uncommented.
    const examples = text
      .split('\n')
      .filter((line) => /^## [a-z_.]+ = /.test(line) && !line.includes('#', 3))
      .map((line) => line.slice(3))
      .join('\n');
    const uncommented = resolveSettings('start', {
      flags: {},
      env: {},
      file: { path: 'examples', text: examples },
    });
    expect(uncommented.problems).toEqual([]);
  });
});
