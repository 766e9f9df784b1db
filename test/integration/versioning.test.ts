/**
 * S3 versioning against a real `cairn start`, through @aws-sdk/client-s3 (and signed raw
 * requests where the SDK hides a header): enabling and suspending, versions made by PUT,
 * delete markers, acting on one version with ?versionId, ListObjectVersions' order and
 * paging, DeleteObjects by version, and bad input refused with nothing changed. The
 * expectations are AWS's documented behaviour (S3 User Guide, "Using versioning").
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAclCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  type ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;

const BUCKETS = [
  'v-basic',
  'v-marker',
  'v-old',
  'v-susp',
  'v-list',
  'v-multi',
  'v-bad',
  'v-race',
].concat(['v-ops']);

useCairn({ buckets: BUCKETS }, (started) => {
  ({ server, s3 } = started);
});

const raw = (path: string, options: { method?: string; body?: string } = {}) =>
  signedFetch(server.url, path, {
    ...options,
    credentials: { keyId: server.keyId, secret: server.secret },
  });

const setVersioning = (Bucket: string, Status: 'Enabled' | 'Suspended') =>
  s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status } }));

const put = async (Bucket: string, Key: string, Body: string) =>
  (await s3.send(new PutObjectCommand({ Bucket, Key, Body }))).VersionId;

const read = async (Bucket: string, Key: string, VersionId?: string) => {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return { body: await got.Body!.transformToString(), versionId: got.VersionId };
};

const versionsOf = async (Bucket: string, Prefix?: string) => {
  const got = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix }));
  return summary(got);
};

function summary(got: ListObjectVersionsCommandOutput) {
  type Listed = { key: string; id: string; latest: boolean; marker?: true };
  const all: Listed[] = [
    ...(got.Versions ?? []).map((v) => ({ key: v.Key!, id: v.VersionId!, latest: v.IsLatest! })),
    ...(got.DeleteMarkers ?? []).map((m) => ({
      key: m.Key!,
      id: m.VersionId!,
      latest: m.IsLatest!,
      marker: true as const,
    })),
  ];
  // The SDK splits versions and markers: put them back in S3's order (key, newest first).
  const rank = (id: string) => (id === 'null' ? '' : id);
  return all.sort((a, b) =>
    a.key !== b.key ? (a.key < b.key ? -1 : 1) : rank(b.id) > rank(a.id) ? 1 : -1,
  );
}

describe('versioning enabled', () => {
  it('keeps every PUT as a version with increasing ids, the newest current', async () => {
    await setVersioning('v-basic', 'Enabled');
    const got = await s3.send(new GetBucketVersioningCommand({ Bucket: 'v-basic' }));
    expect(got.Status).toBe('Enabled');
    const ids = [];
    for (const body of ['one', 'two', 'three']) ids.push(await put('v-basic', 'k', body));
    expect(ids.every((id) => /^[0-9a-f]{26}$/.test(id!))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(await read('v-basic', 'k')).toEqual({ body: 'three', versionId: ids[2] });
    expect((await read('v-basic', 'k', ids[0])).body).toBe('one');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'v-basic', Key: 'k' }));
    expect(head.VersionId).toBe(ids[2]);
    expect(await versionsOf('v-basic')).toEqual([
      { key: 'k', id: ids[2], latest: true },
      { key: 'k', id: ids[1], latest: false },
      { key: 'k', id: ids[0], latest: false },
    ]);
  });

  it('deleting the current version by id makes the next newest current', async () => {
    const a = await put('v-basic', 'd', 'a');
    const b = await put('v-basic', 'd', 'b');
    const deleted = await s3.send(
      new DeleteObjectCommand({ Bucket: 'v-basic', Key: 'd', VersionId: b }),
    );
    expect(deleted.VersionId).toBe(b);
    expect(await read('v-basic', 'd')).toEqual({ body: 'a', versionId: a });
    const gone = s3.send(new GetObjectCommand({ Bucket: 'v-basic', Key: 'd', VersionId: b }));
    expect(await s3ErrorOf(gone)).toEqual({ name: 'NoSuchVersion', status: 404 });
  });

  it('keeps both of concurrent PUTs of one key; the greater id is current', async () => {
    await setVersioning('v-race', 'Enabled');
    const bodies = ['p', 'q', 'r', 's', 't', 'u'];
    const ids = await Promise.all(bodies.map((body) => put('v-race', 'same', body)));
    const listed = await versionsOf('v-race');
    expect(listed.map((v) => v.id).sort()).toEqual([...ids].sort());
    const newest = [...ids].sort().at(-1);
    expect(listed[0]).toEqual({ key: 'same', id: newest, latest: true });
    expect((await read('v-race', 'same')).versionId).toBe(newest);
  });
});

describe('delete markers', () => {
  it('hides the key, answers 404 with the marker, and undeletes when removed', async () => {
    await setVersioning('v-marker', 'Enabled');
    const first = await put('v-marker', 'gone', 'data');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'v-marker', Key: 'gone' }));
    expect(deleted.DeleteMarker).toBe(true);
    const markerId = deleted.VersionId!;
    expect(markerId > first!).toBe(true);
    const get = await raw('/v-marker/gone');
    expect(get.status).toBe(404);
    expect(get.headers.get('x-amz-delete-marker')).toBe('true');
    expect(get.headers.get('x-amz-version-id')).toBe(markerId);
    expect(await get.text()).toContain('<Code>NoSuchKey</Code>');
    const byId = await raw(`/v-marker/gone?versionId=${markerId}`);
    expect(byId.status).toBe(405);
    expect(byId.headers.get('x-amz-delete-marker')).toBe('true');
    const head = await raw(`/v-marker/gone?versionId=${markerId}`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect((await read('v-marker', 'gone', first)).body).toBe('data');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'v-marker' }));
    expect(listed.Contents ?? []).toEqual([]);
    expect(await versionsOf('v-marker')).toEqual([
      { key: 'gone', id: markerId, latest: true, marker: true },
      { key: 'gone', id: first, latest: false },
    ]);
    const undo = await s3.send(
      new DeleteObjectCommand({ Bucket: 'v-marker', Key: 'gone', VersionId: markerId }),
    );
    expect(undo.DeleteMarker).toBe(true);
    expect(await read('v-marker', 'gone')).toEqual({ body: 'data', versionId: first });
  });
});

describe('objects from before versioning, and suspended buckets', () => {
  it('keeps an object written before enabling as the null version', async () => {
    await put('v-old', 'o', 'before');
    await setVersioning('v-old', 'Enabled');
    const after = await put('v-old', 'o', 'after');
    expect((await read('v-old', 'o', 'null')).body).toBe('before');
    expect(await read('v-old', 'o')).toEqual({ body: 'after', versionId: after });
    expect(await versionsOf('v-old')).toEqual([
      { key: 'o', id: after, latest: true },
      { key: 'o', id: 'null', latest: false },
    ]);
  });

  it('writes and overwrites the null version while suspended, keeping the others', async () => {
    await setVersioning('v-susp', 'Enabled');
    const kept = await put('v-susp', 's', 'versioned');
    await setVersioning('v-susp', 'Suspended');
    const got = await s3.send(new GetBucketVersioningCommand({ Bucket: 'v-susp' }));
    expect(got.Status).toBe('Suspended');
    // A null version's write answers no version id (ceph's s3-tests hold S3 to that).
    expect(await put('v-susp', 's', 'null-1')).toBeUndefined();
    expect(await put('v-susp', 's', 'null-2')).toBeUndefined();
    expect(await read('v-susp', 's')).toEqual({ body: 'null-2', versionId: 'null' });
    expect(await versionsOf('v-susp')).toEqual([
      { key: 's', id: kept, latest: false },
      { key: 's', id: 'null', latest: true },
    ]);
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'v-susp', Key: 's' }));
    expect(marker).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    expect((await versionsOf('v-susp')).map((v) => v.id)).toEqual([kept, 'null']);
    expect((await read('v-susp', 's', kept)).body).toBe('versioned');
  });
});

describe('ListObjectVersions', () => {
  it('pages through versions, markers and common prefixes in order', async () => {
    await put('v-list', 'a', 'legacy');
    await setVersioning('v-list', 'Enabled');
    for (const key of ['a', 'b/1', 'b/2', 'c', 'c']) await put('v-list', key, key);
    await s3.send(new DeleteObjectCommand({ Bucket: 'v-list', Key: 'c' }));
    const whole = await versionsOf('v-list');
    expect(whole.map((v) => [v.key, v.latest])).toEqual([
      ['a', true],
      ['a', false],
      ['b/1', true],
      ['b/2', true],
      ['c', true],
      ['c', false],
      ['c', false],
    ]);
    const paged = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const got = await s3.send(
        new ListObjectVersionsCommand({ Bucket: 'v-list', MaxKeys: 2, KeyMarker, VersionIdMarker }),
      );
      paged.push(...summary(got));
      if (!got.IsTruncated) break;
      ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = got);
    }
    expect(paged).toEqual(whole);
    const rolled = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'v-list', Delimiter: '/' }),
    );
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/']);
    expect(summary(rolled).map((v) => v.key)).toEqual(['a', 'a', 'c', 'c', 'c']);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'v-list' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a', 'b/1', 'b/2']);
  });
});

describe('DeleteObjects', () => {
  it('deletes by version id (as boto3 object_versions.delete() does), writes markers', async () => {
    await setVersioning('v-multi', 'Enabled');
    const x1 = await put('v-multi', 'x', '1');
    const x2 = await put('v-multi', 'x', '2');
    await put('v-multi', 'y', '1');
    const got = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'v-multi',
        Delete: { Objects: [{ Key: 'x', VersionId: x1 }, { Key: 'y' }] },
      }),
    );
    expect(got.Errors ?? []).toEqual([]);
    const x = got.Deleted?.find((d) => d.Key === 'x');
    expect(x?.VersionId).toBe(x1);
    const y = got.Deleted?.find((d) => d.Key === 'y');
    expect(y?.DeleteMarker).toBe(true);
    expect(y?.DeleteMarkerVersionId).toMatch(/^[0-9a-f]{26}$/);
    const left = await versionsOf('v-multi');
    expect(left.map((v) => [v.key, v.id === x2, !!v.marker])).toEqual([
      ['x', true, false],
      ['y', false, true],
      ['y', false, false],
    ]);
    const all = left.map((v) => ({ Key: v.key, VersionId: v.id }));
    await s3.send(new DeleteObjectsCommand({ Bucket: 'v-multi', Delete: { Objects: all } }));
    expect(await versionsOf('v-multi')).toEqual([]);
  });
});

describe('bad input changes nothing', () => {
  it('refuses malformed configurations, MFA delete and bad version ids', async () => {
    const bad = await raw('/v-bad?versioning', {
      method: 'PUT',
      body: '<VersioningConfiguration><Status>On</Status></VersioningConfiguration>',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>MalformedXML</Code>');
    const mfa = await raw('/v-bad?versioning', {
      method: 'PUT',
      body:
        '<VersioningConfiguration><Status>Enabled</Status>' +
        '<MfaDelete>Enabled</MfaDelete></VersioningConfiguration>',
    });
    expect(mfa.status).toBe(501);
    const got = await s3.send(new GetBucketVersioningCommand({ Bucket: 'v-bad' }));
    expect(got.Status).toBeUndefined();
    await setVersioning('v-bad', 'Enabled');
    const mine = await put('v-bad', 'mine', 'm');
    const other = await put('v-bad', 'other', 'o');
    const malformed = s3.send(
      new GetObjectCommand({ Bucket: 'v-bad', Key: 'mine', VersionId: 'zz' }),
    );
    expect(await s3ErrorOf(malformed)).toEqual({ name: 'InvalidArgument', status: 400 });
    const foreign = s3.send(
      new GetObjectCommand({ Bucket: 'v-bad', Key: 'mine', VersionId: other }),
    );
    expect(await s3ErrorOf(foreign)).toEqual({ name: 'NoSuchVersion', status: 404 });
    const del = s3.send(
      new DeleteObjectCommand({ Bucket: 'v-bad', Key: 'mine', VersionId: '../x' }),
    );
    expect(await s3ErrorOf(del)).toEqual({ name: 'InvalidArgument', status: 400 });
    await s3.send(new DeleteObjectCommand({ Bucket: 'v-bad', Key: 'mine', VersionId: other }));
    expect(await read('v-bad', 'mine')).toEqual({ body: 'm', versionId: mine });
    expect(await read('v-bad', 'other')).toEqual({ body: 'o', versionId: other });
  });
});

describe('operations on one version', () => {
  it('copies a named version (restoring it), tags and reads ACLs by version id', async () => {
    await setVersioning('v-ops', 'Enabled');
    const old = await put('v-ops', 'doc', 'old text');
    await put('v-ops', 'doc', 'new text');
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: 'v-ops',
        Key: 'doc',
        CopySource: `v-ops/doc?versionId=${old}`,
      }),
    );
    expect(copied.CopySourceVersionId).toBe(old);
    expect(copied.VersionId! > old!).toBe(true);
    expect(await read('v-ops', 'doc')).toEqual({ body: 'old text', versionId: copied.VersionId });
    const tagging = { TagSet: [{ Key: 'era', Value: 'first' }] };
    const tagged = await s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'v-ops',
        Key: 'doc',
        VersionId: old,
        Tagging: tagging,
      }),
    );
    expect(tagged.VersionId).toBe(old);
    const tagsOf = async (VersionId?: string) =>
      (await s3.send(new GetObjectTaggingCommand({ Bucket: 'v-ops', Key: 'doc', VersionId })))
        .TagSet;
    expect(await tagsOf(old)).toEqual(tagging.TagSet);
    expect(await tagsOf()).toEqual([]);
    const acl = await s3.send(
      new GetObjectAclCommand({ Bucket: 'v-ops', Key: 'doc', VersionId: old }),
    );
    expect(acl.Owner?.ID).toBeDefined();
    const missing = s3.send(
      new GetObjectAclCommand({ Bucket: 'v-ops', Key: 'doc', VersionId: '0'.repeat(26) }),
    );
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NoSuchVersion', status: 404 });
  });

  it('makes a version of a completed multipart upload', async () => {
    const before = await put('v-ops', 'mp', 'single');
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'v-ops', Key: 'mp' }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'v-ops', Key: 'mp', UploadId, PartNumber: 1, Body: 'mp' }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'v-ops',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(done.VersionId! > before!).toBe(true);
    expect(await read('v-ops', 'mp')).toEqual({ body: 'mp', versionId: done.VersionId });
    expect((await read('v-ops', 'mp', before)).body).toBe('single');
  });
});
