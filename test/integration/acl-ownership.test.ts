/**
 * S3 ACLs against a real `cairn start`, part two: who owns what. Objects written by another
 * user (or anonymously) into a bucket, the bucket-owner-* canned ACLs, and the ACLs of
 * multipart uploads, copies (read on the source, write on the target) and multi-deletes;
 * each refusal checked to have changed nothing. Part one is acl.test.ts.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { codeOf, createUser, type TestUser } from '../helpers/users.js';
import { anonRequest, getAs, keyListed, putAs } from '../helpers/acl-client.js';

let server: CairnProcess;
let owner: S3Client;
let ownerId: string;
let alice: TestUser;
useCairn({}, (started) => ({ server, s3: owner } = started));

beforeAll(async () => {
  alice = await createUser(server, 'alice@example.com');
  const acl = await owner.send(new CreateBucketCommand({ Bucket: 'owner-probe' }));
  expect(acl.$metadata.httpStatusCode).toBe(200);
  ownerId = (await owner.send(new GetBucketAclCommand({ Bucket: 'owner-probe' }))).Owner!.ID!;
});

afterAll(() => {
  alice?.s3.destroy();
});

describe('ACL: objects written by another user', () => {
  beforeAll(async () => {
    await owner.send(
      new CreateBucketCommand({
        Bucket: 'shared',
        GrantWrite: `id="${alice.id}"`,
        GrantRead: `id="${alice.id}"`,
        GrantFullControl: `id="${ownerId}"`,
      }),
    );
  });

  it('belong to the writer: the bucket owner cannot read them without a grant', async () => {
    await putAs(alice.s3, 'shared', 'alice-private');
    const acl = await alice.s3.send(
      new GetObjectAclCommand({ Bucket: 'shared', Key: 'alice-private' }),
    );
    expect(acl.Owner?.ID).toBe(alice.id);
    expect(acl.Owner?.DisplayName).toBe(alice.displayName);
    expect(await codeOf(getAs(owner, 'shared', 'alice-private'))).toBe('AccessDenied');
    expect(await codeOf(getAs(alice.s3, 'shared', 'alice-private'))).toBe('ok');
    // The bucket owner may still list and delete what is in its bucket.
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: 'shared' }));
    expect(listed.Contents?.map((c) => c.Key)).toContain('alice-private');
  });

  it('bucket-owner-full-control gives the bucket owner FULL_CONTROL', async () => {
    await putAs(alice.s3, 'shared', 'alice-bofc', 'bucket-owner-full-control');
    expect(await codeOf(getAs(owner, 'shared', 'alice-bofc'))).toBe('ok');
    const acl = await owner.send(new GetObjectAclCommand({ Bucket: 'shared', Key: 'alice-bofc' }));
    expect(acl.Owner?.ID).toBe(alice.id);
    expect(acl.Grants).toContainEqual({
      Grantee: { Type: 'CanonicalUser', ID: ownerId, DisplayName: expect.any(String) },
      Permission: 'FULL_CONTROL',
    });
  });

  it('bucket-owner-read lets the bucket owner read, not change the ACL', async () => {
    await putAs(alice.s3, 'shared', 'alice-bor', 'bucket-owner-read');
    expect(await codeOf(getAs(owner, 'shared', 'alice-bor'))).toBe('ok');
    const change = new PutObjectAclCommand({ Bucket: 'shared', Key: 'alice-bor', ACL: 'private' });
    expect(await codeOf(owner.send(change))).toBe('AccessDenied');
    expect(await codeOf(getAs(owner, 'shared', 'alice-bor'))).toBe('ok');
  });

  it('accepts an unsigned browser POST only where everyone may write', async () => {
    const post = (bucket: string, key: string) => {
      const form = new FormData();
      form.append('key', key);
      form.append('acl', 'public-read');
      form.append('file', new Blob(['posted']), 'f.txt');
      return fetch(`${server.url}/${bucket}`, { method: 'POST', body: form });
    };
    await owner.send(new CreateBucketCommand({ Bucket: 'drop-box', ACL: 'public-read-write' }));
    expect((await post('drop-box', 'posted')).status).toBe(204);
    expect((await anonRequest(server.url, 'GET', '/drop-box/posted')).text).toBe('posted');
    expect((await post('owner-probe', 'posted')).status).toBe(403);
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: 'owner-probe' }));
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('an anonymous write into a public-read-write bucket belongs to the bucket owner', async () => {
    const open = new CreateBucketCommand({
      Bucket: 'bucket-public-read-write',
      ACL: 'public-read-write',
    });
    await owner.send(open);
    expect(
      (await anonRequest(server.url, 'PUT', '/bucket-public-read-write/anon-owned', 'x')).status,
    ).toBe(200);
    const acl = await owner.send(
      new GetObjectAclCommand({ Bucket: 'bucket-public-read-write', Key: 'anon-owned' }),
    );
    expect(acl.Owner?.ID).toBe(ownerId);
  });
});

describe('ACL: multipart, copy and multi-delete', () => {
  beforeAll(async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'mixed' }));
    await putAs(owner, 'mixed', 'secret');
  });

  it('CreateMultipartUpload’s ACL is the completed object’s', async () => {
    const { UploadId } = await owner.send(
      new CreateMultipartUploadCommand({ Bucket: 'mixed', Key: 'mp', ACL: 'public-read' }),
    );
    const part = await owner.send(
      new UploadPartCommand({ Bucket: 'mixed', Key: 'mp', UploadId, PartNumber: 1, Body: 'mp' }),
    );
    await owner.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'mixed',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await anonRequest(server.url, 'GET', '/mixed/mp')).text).toBe('mp');
  });

  it('a copy needs read on the source and write on the target', async () => {
    await alice.s3.send(new CreateBucketCommand({ Bucket: 'alice-target' }));
    const steal = new CopyObjectCommand({
      Bucket: 'alice-target',
      Key: 'stolen',
      CopySource: 'mixed/secret',
    });
    expect(await codeOf(alice.s3.send(steal))).toBe('AccessDenied');
    const planted = new CopyObjectCommand({
      Bucket: 'mixed',
      Key: 'planted',
      CopySource: 'mixed/mp',
    });
    expect(await codeOf(alice.s3.send(planted))).toBe('AccessDenied');
    expect(await keyListed(owner, 'mixed', 'planted')).toBe(false);
    const copy = new CopyObjectCommand({
      Bucket: 'mixed',
      Key: 'copy',
      CopySource: 'mixed/secret',
      ACL: 'public-read',
    });
    await owner.send(copy);
    expect((await anonRequest(server.url, 'GET', '/mixed/copy')).text).toBe('secret');
  });

  it('DeleteObjects refuses each key the caller may not delete, deleting none', async () => {
    const result = await alice.s3.send(
      new DeleteObjectsCommand({
        Bucket: 'mixed',
        Delete: { Objects: [{ Key: 'secret' }, { Key: 'mp' }] },
      }),
    );
    expect(result.Errors?.map((e) => e.Code)).toEqual(['AccessDenied', 'AccessDenied']);
    expect(await keyListed(owner, 'mixed', 'secret')).toBe(true);
    expect(await keyListed(owner, 'mixed', 'mp')).toBe(true);
  });
});
