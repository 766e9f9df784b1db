/**
 * Steps S3 (template and volume sync: ListObjects v1 with encoding-type=url and marker
 * paging) and S8 (deleteDirectory: list a prefix without a trailing slash, DELETE each key,
 * DELETE the path again, which must answer 204) of the CloudStack emulation.
 */
import { expect } from 'vitest';
import { CsWire } from './cs-wire.js';
import {
  csKey,
  deleteObject,
  getObject,
  headObject,
  listAll,
  listObjects,
  putObject,
} from './cs-ops.js';
import type { CsWorld } from './cs-world.js';
import type { ModeState } from './steps-template.js';

/** The key with a space and a plus that must survive URL encoding. */
export const awkwardKey = (acct: number) => csKey('template', acct, '999/999-2-a b+c/x.qcow2');

async function inParallel(items: string[], workers: number, task: (item: string) => Promise<void>) {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

/** S3.1: 1,005 tiny template objects plus the awkward key. */
export async function s3Populate(state: ModeState): Promise<void> {
  const acct = state.wire.mode.acct;
  const keys = Array.from({ length: 1005 }, (_, i) =>
    csKey('template', acct, `9${String(i % 100).padStart(2, '0')}/9-2-${i}/t${i}.qcow2`),
  );
  keys.push(awkwardKey(acct));
  await inParallel(keys, 16, async (key) => {
    await putObject(state.wire, key, Buffer.from(key));
    state.keys.add(key);
  });
}

/** S3.2–S3.5: two pages, 1,000 then the rest, encoded keys that decode exactly. */
export async function s3List(state: ModeState): Promise<void> {
  const prefix = csKey('template', state.wire.mode.acct, '');
  const expected = [...state.keys].filter((k) => k.startsWith(prefix)).sort();
  expect(expected.length).toBeGreaterThan(1000);
  const first = await listObjects(state.wire, { prefix });
  state.firstPage = first;
  expect(first.isTruncated).toBe(true);
  expect(first.keys.length).toBe(1000);
  expect(first.encodingType).toBe('url');
  const entry = (first.raw['Contents'] as Array<Record<string, string>>)[0]!;
  expect(entry['LastModified']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
  expect(entry['ETag']).toMatch(/^"[0-9a-f]{32}(-\d+)?"$/);
  expect(entry['Size']).toMatch(/^\d+$/);
  expect(entry['StorageClass']).toBeDefined();
  const keys = first.keys.map((k) => k.key);
  let marker = first.nextMarker;
  let pages = 1;
  for (let truncated = first.isTruncated; truncated; pages++) {
    const page = await listObjects(state.wire, { prefix, marker: marker! });
    keys.push(...page.keys.map((k) => k.key));
    for (const k of page.keys) {
      if (k.key === awkwardKey(state.wire.mode.acct)) {
        expect(k.rawKey).toContain('a%20b%2Bc');
        expect(k.rawKey).not.toContain(' ');
      }
    }
    truncated = page.isTruncated;
    marker = page.nextMarker;
  }
  expect(keys).toEqual(expected);
  expect(pages).toBe(2);
  // S3.5: S3Utils.listDirectory keeps only the first page when it is truncated.
  console.log(
    `${state.wire.mode.name} S3.5: CloudStack's listDirectory would see ` +
      `${first.keys.length} of ${expected.length} templates`,
  );
}

/** S3.4: prefix=volumes lists the S7 volume. */
export async function s3Volumes(state: ModeState): Promise<void> {
  const page = await listObjects(state.wire, { prefix: 'volumes' });
  const mine = csKey('volume', state.wire.mode.acct, '19/volume-disk.raw');
  expect(page.keys.map((k) => k.key)).toContain(mine);
}

/** S3Utils.deleteDirectory: list `path`, DELETE each key (204), DELETE `path` again (204). */
export async function deleteDirectory(state: ModeState, path: string): Promise<string[]> {
  const keys = await listAll(state.wire, path);
  for (const key of keys) {
    const deleted = await deleteObject(state.wire, key);
    expect(deleted.status).toBe(204);
    state.keys.delete(key);
  }
  const again = await deleteObject(state.wire, path);
  expect(again.status).toBe(204);
  return keys;
}

/** S8.1–S8.3: template, snapshot dir (with the over-broad sibling) and volume deletes. */
export async function s8Delete(state: ModeState): Promise<void> {
  const acct = state.wire.mode.acct;
  expect(await deleteDirectory(state, state.templateKey)).toEqual([state.templateKey]);
  const head = await headObject(state.wire, state.templateKey);
  expect(head.status).toBe(404);
  expect(head.body.length).toBe(0);
  const get = await getObject(state.wire, state.templateKey);
  expect(get.statusCode).toBe(404);
  expect(Buffer.concat(await get.toArray()).toString()).toContain('<Code>NoSuchKey</Code>');
  const snapshots = ['15/a', '15/b', '150/c'].map((rest) => csKey('snapshot', acct, rest));
  for (const key of snapshots) {
    await putObject(state.wire, key, Buffer.from('snapshot'));
    state.keys.add(key);
  }
  const removed = await deleteDirectory(state, csKey('snapshot', acct, '15'));
  expect(removed.filter((k) => snapshots.includes(k)).sort()).toEqual(snapshots.sort());
  const volumes = await deleteDirectory(state, csKey('volume', acct, '19'));
  expect(volumes).toContain(csKey('volume', acct, '19/volume-disk.raw'));
}

/** S8.4: a DELETE in a bucket that does not exist is 404 NoSuchBucket. */
export async function s8MissingBucket(world: CsWorld, state: ModeState): Promise<void> {
  const wire = new CsWire(world.target, { ...state.wire.mode, bucket: 'cs-no-such-bucket' });
  const deleted = await deleteObject(wire, 'template/tmpl/1/x');
  expect(deleted.status).toBe(404);
  expect(deleted.body.toString()).toContain('<Code>NoSuchBucket</Code>');
}
