/**
 * The console's page and assets, as `npm run build` wrote them (vite, into dist/console/):
 * read once at start into memory (a few hundred KiB) and served only by exact name, so no
 * client path ever reaches the file system. Hashed assets are immutable for a year;
 * index.html is revalidated on every load, so a new build is picked up at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file ready to send. */
export interface Asset {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Where the build puts the console, beside dist/src/. */
export const ASSETS_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/** The built files by URL path below /console/ (`index.html`, `assets/x-3f2a.js`). */
export function loadAssets(dir: string = ASSETS_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else assets.set(relative(dir, path).split(sep).join('/'), assetOf(path, name));
    }
  };
  try {
    walk(dir);
  } catch {
    // Not built: the console answers that it is missing (see register.ts).
  }
  return assets;
}

function assetOf(path: string, name: string): Asset {
  const hashed = /-[A-Za-z0-9_-]{8,}\.\w+$/.test(name);
  return {
    body: readFileSync(path),
    contentType: TYPES[extname(name)] ?? 'application/octet-stream',
    cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
}

/** Headers every console answer carries: no framing, no sniffing, no referrer for shares. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
