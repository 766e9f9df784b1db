/**
 * The import's decisions: which users to create or bring into line, which objects to copy
 * (by size and ETag), and the merge of two key-ordered listings, checked against a plain
 * map lookup over random listings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  pairListings,
  planObject,
  planUser,
  sourceUserOf,
  type SourceUser,
} from '../../../src/import/core/plan.js';
import type { ListedObject } from '../../../src/import/core/xml.js';

const alice: SourceUser = {
  email: 'alice@example.com',
  name: 'Alice',
  keyId: 'AKALICE',
  secret: 'secret-of-alice',
  id: 'a'.repeat(64),
  status: 'enabled',
};

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('planUser', () => {
  it('creates a missing user, leaves an equal one, follows the source status', () => {
    expect(planUser(alice, undefined)).toEqual({ kind: 'create' });
    expect(planUser(alice, { ...alice, email: 'other@example.com' })).toEqual({ kind: 'present' });
    expect(planUser(alice, { ...alice, status: 'disabled' })).toEqual({
      kind: 'set-status',
      status: 'enabled',
    });
  });

  it('refuses a key that names another user or holds another secret', () => {
    const other = planUser(alice, { ...alice, id: 'b'.repeat(64) });
    expect(other).toMatchObject({
      kind: 'conflict',
      reason: expect.stringContaining('another user'),
    });
    const rekeyed = planUser(alice, { ...alice, secret: 'new-secret' });
    expect(rekeyed).toMatchObject({ kind: 'conflict', reason: expect.stringContaining('secret') });
  });

  it('checks what the admin API lists', () => {
    const json = { ...alice, key_id: alice.keyId, key_secret: alice.secret, display_name: 'a' };
    expect(sourceUserOf(json)).toEqual(alice);
    expect(() => sourceUserOf({ ...json, status: 'gone' })).toThrow(/status/);
    expect(() => sourceUserOf({ ...json, key_id: 7 })).toThrow(/key_id/);
    expect(() => sourceUserOf({ ...json, key_secret: 'x'.repeat(129) })).toThrow(/key_secret/);
    expect(() => sourceUserOf(null)).toThrow();
  });
});

describe('planObject', () => {
  const object: ListedObject = { key: 'k', size: 3, etag: 'abc' };
  it('copies what is missing or differs in size or ETag, and nothing else', () => {
    expect(planObject(object, undefined)).toBe('missing');
    expect(planObject(object, { ...object })).toBe('same');
    expect(planObject(object, { ...object, size: 4 })).toBe('changed');
    expect(planObject(object, { ...object, etag: 'abd' })).toBe('changed');
  });
});

describe('pairListings', () => {
  it('orders keys by their UTF-8 bytes, as S3 lists them', () => {
    // U+FFFD sorts after U+10000 in UTF-16 code units but before it in UTF-8 bytes.
    expect(compareKeys('\uFFFD', '\u{10000}')).toBeLessThan(0);
    expect(compareKeys('a', 'a')).toBe(0);
    expect(compareKeys('a b', 'a+b')).toBeLessThan(0);
  });

  it('pairs every source object with the target object of the same key', async () => {
    const key = fc.string({ unit: 'grapheme', maxLength: 6 });
    const listing = fc
      .uniqueArray(key, { maxLength: 40 })
      .map((keys) => [...keys].sort(compareKeys).map((k) => ({ key: k, size: k.length, etag: k })));
    await fc.assert(
      fc.asyncProperty(listing, listing, async (source, target) => {
        const pairs = await collect(pairListings(from(source), from(target)));
        const byKey = new Map(target.map((o) => [o.key, o]));
        expect(pairs.map((p) => p.source)).toEqual(source);
        for (const pair of pairs) expect(pair.target).toEqual(byKey.get(pair.source.key));
      }),
    );
  });
});
