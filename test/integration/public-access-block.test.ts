/**
 * Block Public Access and GetBucketPolicyStatus against a real `cairn start`, through the
 * SDK: the configuration stored, read and deleted; BlockPublicAcls refusing public ACLs on
 * every write that sets one, IgnorePublicAcls and RestrictPublicBuckets taking public
 * grants and public policies out of force (and giving them back once deleted),
 * BlockPublicPolicy refusing public policies; IsPublic as the ACL and policy make it.
 * Then x-amz-expected-bucket-owner on bucket and object operations. Every refusal is
 * checked to have changed nothing.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { codeOf, createUser, type TestUser } from '../helpers/users.js';
import { anonRequest, getAs, keyListed, putAs } from '../helpers/acl-client.js';

let server: CairnProcess;
let owner: S3Client;
let ownerId: string;
let alice: TestUser;
useCairn({}, (started) => ({ server, s3: owner } = started));

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

beforeAll(async () => {
  alice = await createUser(server, 'alice@example.com');
  await owner.send(new CreateBucketCommand({ Bucket: 'probe' }));
  ownerId = (await owner.send(new GetBucketAclCommand({ Bucket: 'probe' }))).Owner!.ID!;
});

afterAll(() => {
  alice?.s3.destroy();
});

function block(Bucket: string, config: PublicAccessBlockConfiguration) {
  const PublicAccessBlockConfiguration = {
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
    ...config,
  };
  return owner.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration }));
}

function publicPolicy(Bucket: string, over: object = {}) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${Bucket}/*`,
        ...over,
      },
    ],
  });
}

async function isPublic(Bucket: string) {
  return (await owner.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic;
}

describe('public access block: the configuration', () => {
  it('none until set; read back as set (missing elements false); deleted', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'pab' }));
    const get = () => owner.send(new GetPublicAccessBlockCommand({ Bucket: 'pab' }));
    expect(await codeOf(get())).toBe('NoSuchPublicAccessBlockConfiguration');
    const put = await owner.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'pab',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      }),
    );
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect((await get()).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    const deleted = await owner.send(new DeletePublicAccessBlockCommand({ Bucket: 'pab' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await codeOf(get())).toBe('NoSuchPublicAccessBlockConfiguration');
  });

  it('is the owner’s (or a policy’s); a malformed one changes nothing', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'pab-guarded' }));
    await block('pab-guarded', { BlockPublicAcls: true });
    const asAlice = new GetPublicAccessBlockCommand({ Bucket: 'pab-guarded' });
    expect(await codeOf(alice.s3.send(asAlice))).toBe('AccessDenied');
    const bad = await signedFetch(server.url, '/pab-guarded?publicAccessBlock', {
      method: 'PUT',
      body: '<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls>',
      credentials: server,
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>MalformedXML</Code>');
    const kept = await owner.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-guarded' }));
    expect(kept.PublicAccessBlockConfiguration?.BlockPublicAcls).toBe(true);
    // A policy's explicit Deny binds even the owner here (unlike the policy and ACL APIs).
    const deny = publicPolicy('pab-guarded', {
      Effect: 'Deny',
      Action: 's3:GetBucketPublicAccessBlock',
      Resource: 'arn:aws:s3:::pab-guarded',
    });
    await owner.send(new PutBucketPolicyCommand({ Bucket: 'pab-guarded', Policy: deny }));
    expect(await codeOf(owner.send(asAlice))).toBe('AccessDenied');
  });
});

describe('public access block: enforcement', () => {
  it('BlockPublicAcls refuses every request that sets a public ACL, storing nothing', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'no-public-acls' }));
    await putAs(owner, 'no-public-acls', 'existing');
    await block('no-public-acls', { BlockPublicAcls: true });
    for (const acl of ['public-read', 'public-read-write', 'authenticated-read'] as const) {
      expect(await codeOf(putAs(owner, 'no-public-acls', acl, acl))).toBe('AccessDenied');
      expect(await keyListed(owner, 'no-public-acls', acl)).toBe(false);
      const bucketAcl = new PutBucketAclCommand({ Bucket: 'no-public-acls', ACL: acl });
      expect(await codeOf(owner.send(bucketAcl))).toBe('AccessDenied');
      const objectAcl = new PutObjectAclCommand({
        Bucket: 'no-public-acls',
        Key: 'existing',
        ACL: acl,
      });
      expect(await codeOf(owner.send(objectAcl))).toBe('AccessDenied');
    }
    const grant = new PutBucketAclCommand({
      Bucket: 'no-public-acls',
      GrantRead: `uri="${ALL_USERS}"`,
    });
    expect(await codeOf(owner.send(grant))).toBe('AccessDenied');
    const upload = new CreateMultipartUploadCommand({
      Bucket: 'no-public-acls',
      Key: 'mp',
      ACL: 'public-read',
    });
    expect(await codeOf(owner.send(upload))).toBe('AccessDenied');
    const copy = new CopyObjectCommand({
      Bucket: 'no-public-acls',
      Key: 'copy',
      CopySource: 'no-public-acls/existing',
      ACL: 'public-read',
    });
    expect(await codeOf(owner.send(copy))).toBe('AccessDenied');
    expect(await keyListed(owner, 'no-public-acls', 'copy')).toBe(false);
    expect(await isPublic('no-public-acls')).toBe(false);
    expect((await anonRequest(server.url, 'GET', '/no-public-acls/existing')).status).toBe(403);
    expect(await codeOf(putAs(owner, 'no-public-acls', 'private', 'private'))).toBe('ok');
    const toAlice = new PutBucketAclCommand({
      Bucket: 'no-public-acls',
      GrantRead: `id="${alice.id}"`,
    });
    expect(await codeOf(owner.send(toAlice))).toBe('ok');
  });

  it('IgnorePublicAcls voids public grants, not users’; deleting it restores them', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'ignored', ACL: 'public-read' }));
    await putAs(owner, 'ignored', 'k', 'public-read');
    const grantAlice = new PutObjectAclCommand({
      Bucket: 'ignored',
      Key: 'shared',
      GrantRead: `id="${alice.id}"`,
    });
    await putAs(owner, 'ignored', 'shared');
    await owner.send(grantAlice);
    expect((await anonRequest(server.url, 'GET', '/ignored/k')).status).toBe(200);
    expect(await isPublic('ignored')).toBe(true);
    await block('ignored', { IgnorePublicAcls: true });
    expect((await anonRequest(server.url, 'GET', '/ignored/k')).status).toBe(403);
    expect((await anonRequest(server.url, 'GET', '/ignored')).status).toBe(403);
    expect(await codeOf(alice.s3.send(new ListObjectsV2Command({ Bucket: 'ignored' })))).toBe(
      'AccessDenied',
    );
    expect(await codeOf(getAs(alice.s3, 'ignored', 'k'))).toBe('AccessDenied');
    expect(await codeOf(getAs(alice.s3, 'ignored', 'shared'))).toBe('ok');
    expect(await isPublic('ignored')).toBe(false);
    await owner.send(new DeletePublicAccessBlockCommand({ Bucket: 'ignored' }));
    expect((await anonRequest(server.url, 'GET', '/ignored/k')).status).toBe(200);
  });

  it('BlockPublicPolicy refuses a public policy only, storing nothing', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'no-public-policy' }));
    await block('no-public-policy', { BlockPublicPolicy: true });
    const put = (Policy: string) =>
      codeOf(owner.send(new PutBucketPolicyCommand({ Bucket: 'no-public-policy', Policy })));
    expect(await put(publicPolicy('no-public-policy'))).toBe('AccessDenied');
    const everyIp = { Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } };
    expect(await put(publicPolicy('no-public-policy', everyIp))).toBe('AccessDenied');
    const policy = new GetBucketPolicyCommand({ Bucket: 'no-public-policy' });
    expect(await codeOf(owner.send(policy))).toBe('NoSuchBucketPolicy');
    expect(await put(publicPolicy('no-public-policy', { Principal: { AWS: alice.id } }))).toBe(
      'ok',
    );
    const oneNet = { Condition: { IpAddress: { 'aws:SourceIp': '10.1.0.0/16' } } };
    expect(await put(publicPolicy('no-public-policy', oneNet))).toBe('ok');
    expect(await isPublic('no-public-policy')).toBe(false);
  });

  it('RestrictPublicBuckets lets a public policy allow the owner only, until deleted', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'restricted' }));
    await putAs(owner, 'restricted', 'k');
    await owner.send(
      new PutBucketPolicyCommand({ Bucket: 'restricted', Policy: publicPolicy('restricted') }),
    );
    expect((await anonRequest(server.url, 'GET', '/restricted/k')).status).toBe(200);
    expect(await isPublic('restricted')).toBe(true);
    await block('restricted', { RestrictPublicBuckets: true });
    expect((await anonRequest(server.url, 'GET', '/restricted/k')).status).toBe(403);
    expect(await codeOf(getAs(alice.s3, 'restricted', 'k'))).toBe('AccessDenied');
    expect(await codeOf(getAs(owner, 'restricted', 'k'))).toBe('ok');
    expect(await isPublic('restricted')).toBe(false);
    await owner.send(new DeletePublicAccessBlockCommand({ Bucket: 'restricted' }));
    expect((await anonRequest(server.url, 'GET', '/restricted/k')).status).toBe(200);
  });

  it('GetBucketPolicyStatus: public by a public ACL or policy; the owner’s to read', async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'status' }));
    expect(await isPublic('status')).toBe(false);
    await owner.send(new PutBucketAclCommand({ Bucket: 'status', ACL: 'authenticated-read' }));
    expect(await isPublic('status')).toBe(true);
    await owner.send(new PutBucketAclCommand({ Bucket: 'status', ACL: 'private' }));
    expect(await isPublic('status')).toBe(false);
    const status = new GetBucketPolicyStatusCommand({ Bucket: 'status' });
    expect(await codeOf(alice.s3.send(status))).toBe('AccessDenied');
  });
});

describe('x-amz-expected-bucket-owner', () => {
  beforeAll(async () => {
    await owner.send(new CreateBucketCommand({ Bucket: 'expected', ACL: 'public-read-write' }));
    await putAs(owner, 'expected', 'k', 'public-read'); // others may copy it
  });

  it('a wrong owner is AccessDenied on bucket and object operations; nothing changes', async () => {
    const ExpectedBucketOwner = `${ownerId}x`;
    const calls = [
      new HeadBucketCommand({ Bucket: 'expected', ExpectedBucketOwner }),
      new ListObjectsV2Command({ Bucket: 'expected', ExpectedBucketOwner }),
      new GetBucketAclCommand({ Bucket: 'expected', ExpectedBucketOwner }),
      new PutBucketAclCommand({ Bucket: 'expected', ACL: 'private', ExpectedBucketOwner }),
      new DeleteObjectCommand({ Bucket: 'expected', Key: 'k', ExpectedBucketOwner }),
    ];
    for (const call of calls) {
      // HeadBucket's 403 has no body, so the SDK cannot name its code: compare statuses.
      expect((await s3ErrorOf(owner.send(call as never))).status).toBe(403);
    }
    const put = alice.s3.send(
      new CopyObjectCommand({
        Bucket: 'expected',
        Key: 'copied',
        CopySource: 'expected/k',
        ExpectedSourceBucketOwner: ExpectedBucketOwner,
      }),
    );
    expect(await codeOf(put)).toBe('AccessDenied');
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: 'expected' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['k']);
    expect((await owner.send(new GetBucketAclCommand({ Bucket: 'expected' }))).Grants).toHaveLength(
      3,
    );
    const anon = await fetch(`${server.url}/expected?list-type=2`, {
      headers: { 'x-amz-expected-bucket-owner': ExpectedBucketOwner },
    });
    expect(anon.status).toBe(403);
  });

  it('the right owner passes, from the owner and from others', async () => {
    const ExpectedBucketOwner = ownerId;
    const list = new ListObjectsV2Command({ Bucket: 'expected', ExpectedBucketOwner });
    expect(await codeOf(owner.send(list))).toBe('ok');
    expect(await codeOf(alice.s3.send(list))).toBe('ok');
    const copy = new CopyObjectCommand({
      Bucket: 'expected',
      Key: 'copied',
      CopySource: 'expected/k',
      ExpectedBucketOwner,
      ExpectedSourceBucketOwner: ExpectedBucketOwner,
    });
    expect(await codeOf(alice.s3.send(copy))).toBe('ok');
    const missing = new HeadBucketCommand({ Bucket: 'no-such-bucket', ExpectedBucketOwner });
    expect((await s3ErrorOf(owner.send(missing))).status).toBe(404);
  });
});
