/**
 * Cairn's version, from package.json (one place to change it), for `cairn version`, the
 * Server answers' diagnostics and cluster-info bundles.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The package version, e.g. "0.1.0". */
export function cairnVersion(): string {
  if (cached === undefined) {
    // Compiled to dist/src/version.js: the package root is two levels up.
    const url = new URL('../../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
