/**
 * Writes the README's table of config keys from the settings table (src/config), between
 * its settings:begin and settings:end markers: `npm run settings-table` after changing a
 * setting. test/unit/config/docs.test.ts fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { settingsMarkdown } from '../src/config/docs.js';

const README = resolve(import.meta.dirname, '../../README.md');
const text = readFileSync(README, 'utf8');
const table = `<!-- settings:begin -->\n${settingsMarkdown()}\n<!-- settings:end -->`;
writeFileSync(README, text.replace(/<!-- settings:begin -->[\s\S]*<!-- settings:end -->/, table));
process.stdout.write(`README.md: settings table written\n`);
