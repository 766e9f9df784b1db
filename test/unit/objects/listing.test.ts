/**
 * listPage against a naive model of S3 listing, over random key sets, prefixes, delimiters
 * and page sizes: paging to the end must give exactly the model's entries, in order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listPage, type ListEntry, type ManifestScan } from '../../../src/objects/listing.js';
import type { Manifest } from '../../../src/objects/manifest.js';

function manifestOf(key: string): Manifest {
  return {
    format: 1,
    versionId: key,
    bucketId: 'b',
    key,
    size: 0,
    etag: '',
    lastModifiedMs: 0,
    blockSize: 1,
    blockCount: 0,
    headers: { contentType: 'x' },
    metadata: {},
    checksums: {},
  };
}

/** A scan over sorted keys with the ring's semantics: byte order, `after` exclusive. */
function scanOf(keys: string[]): ManifestScan {
  const sorted = [...new Set(keys)].map((k) => Buffer.from(k)).sort(Buffer.compare);
  return async ({ after, prefix, limit }) =>
    sorted
      .filter((k) => !after || Buffer.compare(k, after) > 0)
      .filter((k) => !prefix || k.subarray(0, prefix.length).equals(prefix))
      .slice(0, limit)
      .map((k) => manifestOf(k.toString()));
}

function model(keys: string[], prefix: string, delimiter?: string): string[] {
  const sorted = [...new Set(keys)]
    .map((k) => Buffer.from(k))
    .sort(Buffer.compare)
    .map(String);
  const out: string[] = [];
  for (const key of sorted) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const entry = at < 0 ? key : key.slice(0, at + delimiter!.length);
    if (out.at(-1) !== entry) out.push(entry);
  }
  return out;
}

const name = (e: ListEntry) => (e.kind === 'object' ? e.manifest.key : e.prefix);

describe('listPage', () => {
  it('pages through exactly the model listing (property)', async () => {
    const keyChars = fc.constantFrom('a', 'b', '/', '-', 'é', 'z');
    const keyArb = fc.string({ unit: keyChars, minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(keyArb, { maxLength: 40 }),
        fc.string({ unit: keyChars, maxLength: 2 }),
        fc.option(fc.constantFrom('/', '-', 'é'), { nil: undefined }),
        fc.integer({ min: 1, max: 7 }),
        async (keys, prefix, delimiter, maxKeys) => {
          const scan = scanOf(keys);
          const seen: string[] = [];
          let after: string | undefined;
          for (let pages = 0; pages < 100; pages++) {
            const page = await listPage(scan, { prefix, delimiter, after, maxKeys });
            expect(page.entries.length).toBeLessThanOrEqual(maxKeys);
            seen.push(...page.entries.map(name));
            if (!page.isTruncated) break;
            after = page.lastKey;
          }
          expect(seen).toEqual(model(keys, prefix, delimiter));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips a common prefix in one step however many keys share it', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `big/${String(i).padStart(5, '0')}`);
    keys.push('next');
    let scans = 0;
    const inner = scanOf(keys);
    const counting: ManifestScan = (o) => (scans++, inner(o));
    const page = await listPage(counting, { prefix: '', delimiter: '/', maxKeys: 1000 });
    expect(page.entries.map(name)).toEqual(['big/', 'next']);
    expect(scans).toBeLessThanOrEqual(3);
  });
});
