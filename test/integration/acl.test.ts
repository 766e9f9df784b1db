/**
 * S3 ACLs against a real `cairn start`: every canned ACL's effect on bucket and object
 * operations for the owner, another user and anonymous callers; grants by id, group and
 * e-mail; Get*Acl XML through the SDK and raw; refusals, each checked to have changed
 * nothing. Who owns objects written by others: acl-ownership.test.ts.
 */
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
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
let bob: TestUser;
useCairn({}, (started) => ({ server, s3: owner } = started));

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

beforeAll(async () => {
  alice = await createUser(server, 'alice@example.com');
  bob = await createUser(server, 'bob@example.com');
  const acl = await owner.send(new CreateBucketCommand({ Bucket: 'owner-probe' }));
  expect(acl.$metadata.httpStatusCode).toBe(200);
  ownerId = (await owner.send(new GetBucketAclCommand({ Bucket: 'owner-probe' }))).Owner!.ID!;
});

afterAll(() => {
  alice?.s3.destroy();
  bob?.s3.destroy();
});

describe('ACL: canned ACLs on buckets', () => {
  const cases = [
    ['private', { list: [true, false, false], write: [true, false, false] }],
    ['public-read', { list: [true, true, true], write: [true, false, false] }],
    ['public-read-write', { list: [true, true, true], write: [true, true, true] }],
    ['authenticated-read', { list: [true, true, false], write: [true, false, false] }],
  ] as const;
  for (const [acl, want] of cases) {
    it(`bucket ${acl}: list and write for (owner, another user, anonymous)`, async () => {
      const bucket = `bucket-${acl}`;
      await owner.send(new CreateBucketCommand({ Bucket: bucket, ACL: acl }));
      const list = async (client: S3Client) =>
        (await codeOf(client.send(new ListObjectsV2Command({ Bucket: bucket })))) === 'ok';
      const anonList =
        (await anonRequest(server.url, 'GET', `/${bucket}?list-type=2`)).status === 200;
      expect([await list(owner), await list(alice.s3), anonList]).toEqual([...want.list]);
      const wrote = [
        (await codeOf(putAs(owner, bucket, 'by-owner'))) === 'ok',
        (await codeOf(putAs(alice.s3, bucket, 'by-alice'))) === 'ok',
        (await anonRequest(server.url, 'PUT', `/${bucket}/by-anon`, 'x')).status === 200,
      ];
      expect(wrote).toEqual([...want.write]);
      // A refused write stored nothing.
      expect(await keyListed(owner, bucket, 'by-alice')).toBe(want.write[1]);
      expect(await keyListed(owner, bucket, 'by-anon')).toBe(want.write[2]);
    });
  }

  it('refuses ListBuckets and CreateBucket to anonymous callers', async () => {
    expect((await anonRequest(server.url, 'GET', '/')).status).toBe(403);
    expect((await anonRequest(server.url, 'PUT', '/anon-bucket')).status).toBe(403);
    expect((await anonRequest(server.url, 'HEAD', '/anon-bucket')).status).toBe(404);
  });

  it('keeps another user’s shared bucket out of its ListBuckets', async () => {
    const { ListBucketsCommand } = await import('@aws-sdk/client-s3');
    const mine = await alice.s3.send(new ListBucketsCommand({}));
    expect(mine.Buckets ?? []).toEqual([]);
  });
});

describe('ACL: canned ACLs on objects', () => {
  const cases = [
    ['private', [true, false, false]],
    ['public-read', [true, true, true]],
    ['public-read-write', [true, true, true]],
    ['authenticated-read', [true, true, false]],
    ['bucket-owner-read', [true, false, false]],
    ['bucket-owner-full-control', [true, false, false]],
  ] as const;
  beforeAll(async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'objects' }));
  });
  for (const [acl, want] of cases) {
    it(`object ${acl}: GetObject for (owner, another user, anonymous)`, async () => {
      await putAs(owner, 'objects', acl, acl);
      const read = async (client: S3Client) =>
        (await codeOf(getAs(client, 'objects', acl))) === 'ok';
      const anonRead = await anonRequest(server.url, 'GET', `/objects/${acl}`);
      expect([await read(owner), await read(alice.s3), anonRead.status === 200]).toEqual([...want]);
      if (want[2]) expect(anonRead.text).toBe(acl);
      // Reading is not listing, and no object ACL lets others rewrite the object.
      expect((await anonRequest(server.url, 'GET', '/objects')).status).toBe(403);
      expect(await codeOf(putAs(alice.s3, 'objects', acl))).toBe('AccessDenied');
    });
  }

  it('a missing key is NoSuchKey to those who may list, AccessDenied to others', async () => {
    expect(await codeOf(getAs(owner, 'objects', 'missing'))).toBe('NoSuchKey');
    expect(await codeOf(getAs(alice.s3, 'objects', 'missing'))).toBe('AccessDenied');
    expect((await anonRequest(server.url, 'GET', '/objects/missing')).status).toBe(403);
  });
});

describe('ACL: explicit grants', () => {
  beforeAll(async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'grants' }));
  });

  it('grants by id, by group and by e-mail on PutObject', async () => {
    await owner.send(
      new PutObjectCommand({
        Bucket: 'grants',
        Key: 'g',
        Body: 'g',
        GrantRead: `emailAddress="${alice.email}", uri="${ALL_USERS}"`,
        GrantReadACP: `id="${bob.id}"`,
      }),
    );
    expect(await codeOf(getAs(alice.s3, 'grants', 'g'))).toBe('ok');
    expect((await anonRequest(server.url, 'GET', '/grants/g')).status).toBe(200);
    expect(await codeOf(getAs(bob.s3, 'grants', 'g'))).toBe('ok'); // AllUsers
    const acl = await bob.s3.send(new GetObjectAclCommand({ Bucket: 'grants', Key: 'g' }));
    // Stored order: group grants first, then users', each as given.
    expect(acl.Grants).toEqual([
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      {
        Grantee: { Type: 'CanonicalUser', ID: alice.id, DisplayName: alice.displayName },
        Permission: 'READ',
      },
      {
        Grantee: { Type: 'CanonicalUser', ID: bob.id, DisplayName: bob.displayName },
        Permission: 'READ_ACP',
      },
    ]);
    // Explicit grants replace the default, but an owner may always read and change its ACL.
    expect(await codeOf(getAs(owner, 'grants', 'g'))).toBe('ok'); // as one of AllUsers
    const ownerAcl = new GetObjectAclCommand({ Bucket: 'grants', Key: 'g' });
    expect(await codeOf(owner.send(ownerAcl))).toBe('ok');
    const aliceAcl = new GetObjectAclCommand({ Bucket: 'grants', Key: 'g' });
    expect(await codeOf(alice.s3.send(aliceAcl))).toBe('AccessDenied');
  });

  it('refuses an unknown e-mail and an unknown id, storing nothing', async () => {
    const byEmail = new PutObjectCommand({
      Bucket: 'grants',
      Key: 'nobody',
      Body: 'x',
      GrantRead: 'emailAddress="nobody@example.com"',
    });
    expect(await codeOf(owner.send(byEmail))).toBe('UnresolvableGrantByEmailAddress');
    const byId = new PutObjectCommand({
      Bucket: 'grants',
      Key: 'nobody',
      Body: 'x',
      GrantRead: `id="${'f'.repeat(64)}"`,
    });
    expect(await codeOf(owner.send(byId))).toBe('InvalidArgument');
    expect(await keyListed(owner, 'grants', 'nobody')).toBe(false);
  });

  it('refuses a canned ACL with grants (InvalidRequest), storing nothing', async () => {
    const both = new PutObjectCommand({
      Bucket: 'grants',
      Key: 'both',
      Body: 'x',
      ACL: 'public-read',
      GrantRead: `id="${alice.id}"`,
    });
    expect(await codeOf(owner.send(both))).toBe('InvalidRequest');
    expect(await keyListed(owner, 'grants', 'both')).toBe(false);
  });

  it('grants WRITE on a bucket by PutBucketAcl headers', async () => {
    expect(await codeOf(putAs(bob.s3, 'grants', 'from-bob'))).toBe('AccessDenied');
    await owner.send(
      new PutBucketAclCommand({
        Bucket: 'grants',
        GrantWrite: `emailAddress="${bob.email}"`,
        GrantFullControl: `id="${ownerId}"`,
      }),
    );
    expect(await codeOf(putAs(bob.s3, 'grants', 'from-bob'))).toBe('ok');
    expect(await codeOf(bob.s3.send(new ListObjectsV2Command({ Bucket: 'grants' })))).toBe(
      'AccessDenied',
    );
  });
});

describe('ACL: Get/Put ACL documents', () => {
  beforeAll(async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'docs', ACL: 'public-read' }));
    await putAs(owner, 'docs', 'k');
  });

  it('round-trips a bucket ACL through the SDK', async () => {
    const before = await owner.send(new GetBucketAclCommand({ Bucket: 'docs' }));
    expect(before.Owner?.ID).toBe(ownerId);
    // Group grants first, as Riak CS and RGW answer a canned ACL (ceph/s3-tests expects it).
    expect(before.Grants).toEqual([
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      {
        Grantee: { Type: 'CanonicalUser', ID: ownerId, DisplayName: before.Owner?.DisplayName },
        Permission: 'FULL_CONTROL',
      },
    ]);
    const grants = [
      ...before.Grants!,
      { Grantee: { Type: 'CanonicalUser' as const, ID: alice.id }, Permission: 'WRITE' as const },
      {
        Grantee: { Type: 'AmazonCustomerByEmail' as const, EmailAddress: bob.email },
        Permission: 'READ_ACP' as const,
      },
    ];
    await owner.send(
      new PutBucketAclCommand({
        Bucket: 'docs',
        AccessControlPolicy: { Owner: before.Owner!, Grants: grants },
      }),
    );
    const after = await owner.send(new GetBucketAclCommand({ Bucket: 'docs' }));
    expect(after.Grants).toHaveLength(4);
    expect(after.Grants?.[3]).toEqual({
      Grantee: { Type: 'CanonicalUser', ID: bob.id, DisplayName: bob.displayName },
      Permission: 'READ_ACP',
    });
    expect(await codeOf(bob.s3.send(new GetBucketAclCommand({ Bucket: 'docs' })))).toBe('ok');
    expect(await codeOf(putAs(alice.s3, 'docs', 'from-alice'))).toBe('ok');
  });

  it('answers Riak CS’s exact XML, with xmlns:xsi and xsi:type on each Grantee', async () => {
    const res = await signedFetch(server.url, '/docs/k?acl', { credentials: server });
    const xml = await res.text();
    expect(res.status).toBe(200);
    // No xmlns on the root, as Riak CS: boto 2 writes a namespace it read back into to_xml().
    expect(xml).toContain('<AccessControlPolicy><Owner>');
    expect(xml).toContain(
      '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
        `xsi:type="CanonicalUser"><ID>${ownerId}</ID>`,
    );
  });

  it('sets an object ACL by canned header and by body', async () => {
    await owner.send(new PutObjectAclCommand({ Bucket: 'docs', Key: 'k', ACL: 'public-read' }));
    expect((await anonRequest(server.url, 'GET', '/docs/k')).text).toBe('k');
    const current = await owner.send(new GetObjectAclCommand({ Bucket: 'docs', Key: 'k' }));
    await owner.send(
      new PutObjectAclCommand({
        Bucket: 'docs',
        Key: 'k',
        AccessControlPolicy: {
          Owner: current.Owner!,
          Grants: current.Grants!.filter((grant) => grant.Grantee?.Type === 'CanonicalUser'),
        },
      }),
    );
    expect((await anonRequest(server.url, 'GET', '/docs/k')).status).toBe(403);
    expect(await codeOf(getAs(owner, 'docs', 'k'))).toBe('ok'); // bytes kept
  });

  it('refuses bad ACL requests and changes nothing', async () => {
    const before = await owner.send(new GetBucketAclCommand({ Bucket: 'docs' }));
    const send = (body: string, as = server as { keyId: string; secret: string }) =>
      signedFetch(server.url, '/docs?acl', { method: 'PUT', body, credentials: as });
    const malformed = await send('<AccessControlPolicy><Owner><ID>x</ID></Owner');
    expect(await malformed.text()).toContain('<Code>MalformedACLError</Code>');
    expect(malformed.status).toBe(400);
    const notOwner =
      `<AccessControlPolicy><Owner><ID>${alice.id}</ID></Owner>` +
      '<AccessControlList></AccessControlList></AccessControlPolicy>';
    expect((await send(notOwner)).status).toBe(403);
    const ownerDoc = notOwner.replace(alice.id, ownerId);
    const asAlice = await send(ownerDoc, alice.keys);
    expect(asAlice.status).toBe(403);
    const both = await signedFetch(server.url, '/docs?acl', {
      method: 'PUT',
      body: ownerDoc,
      headers: { 'x-amz-acl': 'private' },
      credentials: server,
    });
    expect(both.status).toBe(400);
    const anonymous = await anonRequest(server.url, 'PUT', '/docs?acl', ownerDoc);
    expect(anonymous.status).toBe(403);
    const after = await owner.send(new GetBucketAclCommand({ Bucket: 'docs' }));
    expect(after.Grants).toEqual(before.Grants);
  });
});
