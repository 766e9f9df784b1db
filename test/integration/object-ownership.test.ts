/**
 * S3 Object Ownership against a real `cairn start`: Put/Get/DeleteBucketOwnershipControls
 * and x-amz-object-ownership on CreateBucket through the SDK; BucketOwnerEnforced disabling
 * ACLs (the bucket owner owns every object, ACL-setting requests other than bucket owner
 * full control refused with AccessControlListNotSupported, stored ACLs back in force once
 * it is removed); BucketOwnerPreferred and ObjectWriter ownership of other users' writes.
 * Every refusal is checked to have changed nothing.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ObjectOwnership,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { codeOf, createUser, type TestUser } from '../helpers/users.js';
import { anonRequest, getAs, keyListed, putAs } from '../helpers/acl-client.js';

let server: CairnProcess;
let owner: S3Client;
let ownerId: string;
let alice: TestUser;
useCairn({}, (started) => ({ server, s3: owner } = started));

beforeAll(async () => {
  alice = await createUser(server, 'alice@example.com');
  await owner.send(new CreateBucketCommand({ Bucket: 'probe' }));
  ownerId = (await owner.send(new GetBucketAclCommand({ Bucket: 'probe' }))).Owner!.ID!;
});

afterAll(() => {
  alice?.s3.destroy();
});

/** A bucket of the owner's that alice may use as a bucket policy allows (not by ACL). */
async function sharedBucket(Bucket: string, ownership?: ObjectOwnership) {
  await owner.send(
    new CreateBucketCommand({ Bucket, ...(ownership ? { ObjectOwnership: ownership } : {}) }),
  );
  const statement = {
    Effect: 'Allow',
    Principal: { AWS: alice.id },
    Action: ['s3:PutObject', 's3:GetObject', 's3:GetObjectAcl', 's3:PutObjectAcl', 's3:List*'],
    Resource: [`arn:aws:s3:::${Bucket}`, `arn:aws:s3:::${Bucket}/*`],
  };
  const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  await owner.send(new PutBucketPolicyCommand({ Bucket, Policy }));
}

async function objectOwner(client: S3Client, Bucket: string, Key: string) {
  return (await client.send(new GetObjectAclCommand({ Bucket, Key }))).Owner?.ID;
}

function ownershipOf(Bucket: string) {
  return owner.send(new GetBucketOwnershipControlsCommand({ Bucket }));
}

function setOwnership(Bucket: string, ObjectOwnership: ObjectOwnership, as: S3Client = owner) {
  const OwnershipControls = { Rules: [{ ObjectOwnership }] };
  return as.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls }));
}

describe('object ownership: the controls', () => {
  it('none until set; set at create or later; deleted (204, twice)', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'oc-plain' }));
    expect(await codeOf(ownershipOf('oc-plain'))).toBe('OwnershipControlsNotFoundError');
    await setOwnership('oc-plain', 'BucketOwnerPreferred');
    const got = await ownershipOf('oc-plain');
    expect(got.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerPreferred' }]);
    for (let i = 0; i < 2; i++) {
      const deleted = await owner.send(
        new DeleteBucketOwnershipControlsCommand({ Bucket: 'oc-plain' }),
      );
      expect(deleted.$metadata.httpStatusCode).toBe(204);
    }
    expect(await codeOf(ownershipOf('oc-plain'))).toBe('OwnershipControlsNotFoundError');
    await owner.send(
      new CreateBucketCommand({ Bucket: 'oc-made', ObjectOwnership: 'ObjectWriter' }),
    );
    expect((await ownershipOf('oc-made')).OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe(
      'ObjectWriter',
    );
  });

  it('refuses other users, malformed documents and unknown values; nothing changes', async () => {
    await owner.send(
      new CreateBucketCommand({ Bucket: 'oc-guarded', ObjectOwnership: 'ObjectWriter' }),
    );
    expect(await codeOf(setOwnership('oc-guarded', 'BucketOwnerEnforced', alice.s3))).toBe(
      'AccessDenied',
    );
    expect(
      await codeOf(alice.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'oc-guarded' }))),
    ).toBe('AccessDenied');
    const put = (body: string) =>
      signedFetch(server.url, '/oc-guarded?ownershipControls', {
        method: 'PUT',
        body,
        credentials: server,
      });
    const bad = await put('<OwnershipControls><Rule><ObjectOwnership>Anyone</ObjectOwnership>');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>MalformedXML</Code>');
    const header = await signedFetch(server.url, '/oc-bad-header', {
      method: 'PUT',
      headers: { 'x-amz-object-ownership': 'Everyone' },
      credentials: server,
    });
    expect(header.status).toBe(400);
    expect(await header.text()).toContain('<Code>InvalidArgument</Code>');
    expect((await ownershipOf('oc-guarded')).OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe(
      'ObjectWriter',
    );
    expect(await codeOf(owner.send(new GetBucketAclCommand({ Bucket: 'oc-bad-header' })))).toBe(
      'NoSuchBucket',
    );
  });

  it('ACLs are disabled only on a bucket whose ACL grants nobody else', async () => {
    const create = new CreateBucketCommand({
      Bucket: 'oc-public',
      ACL: 'public-read',
      ObjectOwnership: 'BucketOwnerEnforced',
    });
    expect(await codeOf(owner.send(create))).toBe('InvalidBucketAclWithObjectOwnership');
    expect(await codeOf(owner.send(new GetBucketAclCommand({ Bucket: 'oc-public' })))).toBe(
      'NoSuchBucket',
    );
    await owner.send(new CreateBucketCommand({ Bucket: 'oc-public', ACL: 'public-read' }));
    expect(await codeOf(setOwnership('oc-public', 'BucketOwnerEnforced'))).toBe(
      'InvalidBucketAclWithObjectOwnership',
    );
    expect(await codeOf(ownershipOf('oc-public'))).toBe('OwnershipControlsNotFoundError');
    await owner.send(new PutBucketAclCommand({ Bucket: 'oc-public', ACL: 'private' }));
    expect(await codeOf(setOwnership('oc-public', 'BucketOwnerEnforced'))).toBe('ok');
  });
});

describe('object ownership: BucketOwnerEnforced', () => {
  beforeAll(() => sharedBucket('enforced', 'BucketOwnerEnforced'));

  it('the bucket owner owns all writes, with or without bucket-owner-full-control', async () => {
    await putAs(alice.s3, 'enforced', 'plain');
    await putAs(alice.s3, 'enforced', 'bofc', 'bucket-owner-full-control');
    const byGrant = new PutObjectCommand({
      Bucket: 'enforced',
      Key: 'by-grant',
      Body: 'g',
      GrantFullControl: `id="${ownerId}"`,
    });
    expect(await codeOf(alice.s3.send(byGrant))).toBe('ok');
    for (const key of ['plain', 'bofc', 'by-grant']) {
      expect(await objectOwner(alice.s3, 'enforced', key)).toBe(ownerId);
      expect(await codeOf(getAs(owner, 'enforced', key))).toBe('ok');
    }
    const acl = await owner.send(new GetObjectAclCommand({ Bucket: 'enforced', Key: 'plain' }));
    expect(acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission])).toEqual([
      [ownerId, 'FULL_CONTROL'],
    ]);
  });

  it('refuses every other ACL with AccessControlListNotSupported, storing nothing', async () => {
    for (const acl of ['private', 'public-read', 'bucket-owner-read'] as const) {
      expect(await codeOf(putAs(alice.s3, 'enforced', `refused-${acl}`, acl))).toBe(
        'AccessControlListNotSupported',
      );
      expect(await keyListed(owner, 'enforced', `refused-${acl}`)).toBe(false);
    }
    const toAlice = new PutObjectCommand({
      Bucket: 'enforced',
      Key: 'refused-grant',
      Body: 'x',
      GrantRead: `id="${alice.id}"`,
    });
    expect(await codeOf(alice.s3.send(toAlice))).toBe('AccessControlListNotSupported');
    const upload = new CreateMultipartUploadCommand({
      Bucket: 'enforced',
      Key: 'refused-mp',
      ACL: 'public-read',
    });
    expect(await codeOf(alice.s3.send(upload))).toBe('AccessControlListNotSupported');
    const copy = new CopyObjectCommand({
      Bucket: 'enforced',
      Key: 'refused-copy',
      CopySource: 'enforced/plain',
      ACL: 'authenticated-read',
    });
    expect(await codeOf(alice.s3.send(copy))).toBe('AccessControlListNotSupported');
    expect(await keyListed(owner, 'enforced', 'refused-copy')).toBe(false);
  });

  it('refuses PutBucketAcl and PutObjectAcl, even from the owner; reads still answer', async () => {
    // bucket-owner-full-control is a canned ACL of objects only (BucketCannedACL lacks it).
    for (const ACL of ['private', 'public-read'] as const) {
      expect(await codeOf(owner.send(new PutBucketAclCommand({ Bucket: 'enforced', ACL })))).toBe(
        'AccessControlListNotSupported',
      );
    }
    for (const ACL of ['private', 'bucket-owner-full-control'] as const) {
      const objectAcl = new PutObjectAclCommand({ Bucket: 'enforced', Key: 'plain', ACL });
      expect(await codeOf(owner.send(objectAcl))).toBe('AccessControlListNotSupported');
    }
    const bucketAcl = await owner.send(new GetBucketAclCommand({ Bucket: 'enforced' }));
    expect(bucketAcl.Grants?.map((g) => [g.Grantee?.ID, g.Permission])).toEqual([
      [ownerId, 'FULL_CONTROL'],
    ]);
  });

  it('a multipart upload by another user belongs to the bucket owner', async () => {
    const Key = 'mp';
    const { UploadId } = await alice.s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'enforced', Key }),
    );
    const part = await alice.s3.send(
      new UploadPartCommand({ Bucket: 'enforced', Key, UploadId, PartNumber: 1, Body: 'part' }),
    );
    const parts = await alice.s3.send(new ListPartsCommand({ Bucket: 'enforced', Key, UploadId }));
    expect(parts.Owner?.ID).toBe(ownerId);
    await alice.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'enforced',
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    expect(await objectOwner(owner, 'enforced', Key)).toBe(ownerId);
  });

  it('ignores ACLs stored before it; they count again once the controls are deleted', async () => {
    await sharedBucket('toggled');
    await putAs(alice.s3, 'toggled', 'alices', 'public-read');
    expect((await anonRequest(server.url, 'GET', '/toggled/alices')).status).toBe(200);
    expect(await codeOf(getAs(owner, 'toggled', 'alices'))).toBe('ok'); // as one of AllUsers
    await setOwnership('toggled', 'BucketOwnerEnforced');
    expect((await anonRequest(server.url, 'GET', '/toggled/alices')).status).toBe(403);
    expect(await objectOwner(owner, 'toggled', 'alices')).toBe(ownerId);
    await owner.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'toggled' }));
    expect((await anonRequest(server.url, 'GET', '/toggled/alices')).status).toBe(200);
    expect(await objectOwner(alice.s3, 'toggled', 'alices')).toBe(alice.id);
  });
});

describe('object ownership: BucketOwnerPreferred and ObjectWriter', () => {
  it('Preferred: bucket-owner-full-control hands the object to the bucket owner', async () => {
    await sharedBucket('preferred', 'BucketOwnerPreferred');
    await putAs(alice.s3, 'preferred', 'bofc', 'bucket-owner-full-control');
    await putAs(alice.s3, 'preferred', 'private', 'private');
    await putAs(alice.s3, 'preferred', 'plain');
    expect(await objectOwner(owner, 'preferred', 'bofc')).toBe(ownerId);
    expect(await objectOwner(alice.s3, 'preferred', 'private')).toBe(alice.id);
    expect(await objectOwner(alice.s3, 'preferred', 'plain')).toBe(alice.id);
    expect(await codeOf(getAs(owner, 'preferred', 'plain'))).toBe('AccessDenied');
  });

  it('ObjectWriter: the writer owns its objects, whatever the ACL', async () => {
    await sharedBucket('writer', 'ObjectWriter');
    await putAs(alice.s3, 'writer', 'bofc', 'bucket-owner-full-control');
    expect(await objectOwner(alice.s3, 'writer', 'bofc')).toBe(alice.id);
    expect(await codeOf(getAs(owner, 'writer', 'bofc'))).toBe('ok');
  });
});
