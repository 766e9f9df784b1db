/**
 * ListObjectVersions' paging against a model: over any set of version records and
 * unversioned objects, paging with any max-keys (resuming from the last entry, as a client
 * does with NextKeyMarker / NextVersionIdMarker) lists exactly the model's order: keys
 * ascending, each key's versions newest first, common prefixes rolled up once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/objects/manifest.js';
import {
  listVersionsPage,
  type SortedScan,
  type VersionEntry,
  type VersionMarker,
} from '../../../src/objects/version-listing.js';
import { versionSortKey } from '../../../src/objects/version-keys.js';

const manifest = (key: string, orderId?: string): Manifest => ({
  format: 1,
  versionId: `${key}-${orderId ?? 'legacy'}`,
  bucketId: 'b',
  key,
  size: 1,
  etag: '',
  lastModifiedMs: 0,
  blockSize: 4,
  blockCount: 0,
  headers: { contentType: 'x' },
  metadata: {},
  checksums: {},
  ...(orderId ? { orderId } : {}),
});

function scanOf(items: Array<{ sk: Buffer; manifest: Manifest }>): SortedScan {
  const sorted = [...items].sort((a, b) => Buffer.compare(a.sk, b.sk));
  return async ({ after, prefix, limit }) =>
    sorted
      .filter((i) => !after || Buffer.compare(i.sk, after) > 0)
      .filter((i) => !prefix || i.sk.subarray(0, prefix.length).equals(prefix))
      .slice(0, limit);
}

const keyArb = fc.constantFrom('a', 'a/x', 'a/y', 'b', 'b/c/d', 'c', 'ca', 'd/');
const idArb = fc.integer({ min: 1, max: 50 }).map((n) => n.toString(16).padStart(26, '0'));

const label = (e: VersionEntry) =>
  e.kind === 'prefix' ? `P:${e.prefix}` : `${e.manifest.key}@${e.manifest.orderId ?? 'null'}`;

describe('listVersionsPage', () => {
  it('pages to exactly the model order, whatever the page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(keyArb, idArb), { selector: ([k, id]) => `${k}${id}` }),
        fc.uniqueArray(keyArb),
        fc.constantFrom(undefined, '/'),
        fc.integer({ min: 1, max: 5 }),
        async (records, legacyKeys, delimiter, maxKeys) => {
          const versionKeys = new Set(records.map(([k]) => k));
          const legacy = legacyKeys.filter((k) => !versionKeys.has(k));
          const versions = scanOf(
            records.map(([k, id]) => ({ sk: versionSortKey(k, id), manifest: manifest(k, id) })),
          );
          const currents = scanOf(
            legacy.map((k) => ({ sk: Buffer.from(k), manifest: manifest(k) })),
          );
          const model = modelOrder(records, legacy, delimiter);
          const paged: string[] = [];
          let marker: VersionMarker | undefined;
          for (let page = 0; page < 100; page++) {
            const got = await listVersionsPage(versions, currents, {
              prefix: '',
              ...(delimiter ? { delimiter } : {}),
              maxKeys,
              ...(marker ? { marker } : {}),
            });
            paged.push(...got.entries.map(label));
            if (!got.isTruncated) break;
            marker = markerAfter(got.entries.at(-1)!);
          }
          expect(paged).toEqual(model);
        },
      ),
    );
  });
});

function markerAfter(last: VersionEntry): VersionMarker {
  if (last.kind === 'prefix') return { key: last.prefix };
  const m = last.manifest;
  const versionSk = m.orderId ? versionSortKey(m.key, m.orderId) : Buffer.from(m.key);
  return { key: m.key, versionSk };
}

function modelOrder(
  records: Array<[string, string]>,
  legacy: string[],
  delimiter: string | undefined,
): string[] {
  const all = [
    ...legacy.map((k) => ({ key: k, id: '' })),
    ...records.map(([key, id]) => ({ key, id })),
  ].sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : order(a.id, b.id)));
  const out: string[] = [];
  for (const { key, id } of all) {
    const at = delimiter ? key.indexOf(delimiter) : -1;
    if (at >= 0) {
      const label = `P:${key.slice(0, at + 1)}`;
      if (out.at(-1) !== label) out.push(label);
      continue;
    }
    out.push(`${key}@${id || 'null'}`);
  }
  return out;
}

/** Unversioned ('') first, then newest first. */
function order(a: string, b: string): number {
  if (a === '') return -1;
  if (b === '') return 1;
  return a > b ? -1 : 1;
}
