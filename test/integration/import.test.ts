/**
 * `cairn-admin import` between two real Cairn processes: a source with three users (one
 * disabled), buckets with ACLs and a policy, 1,000 small objects with spaces and non-ASCII
 * in their keys, objects written by a user other than the bucket owner, and a 50 MiB
 * multipart object. The import is killed by PID twice (mid-bucket, then mid-multipart) and
 * run again; then every object matches (bytes by SHA-256, ETag, headers, metadata, ACL),
 * nothing half-made is left, a further run copies only what changed, and the old keys
 * work against the new store with boto 2 (SigV2) and boto3.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  GetObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import {
  aclFacts,
  adminUser,
  allKeys,
  eachLimit,
  makeUser,
  objectFacts,
  runImport,
  startImport,
  uploadsIn,
  waitFor,
  type WorldUser,
} from '../helpers/import-world.js';
import { codeOf } from '../helpers/s3-errors.js';
import { missingTool } from '../helpers/tools.js';
import { skipWith } from '../helpers/skip.js';

const OBJECTS = 1000;
const MIB = 1024 * 1024;
const BIG_PART_BYTES = 8 * MIB;
const BIG_BYTES = 50 * MIB;
let source: CairnProcess;
let target: CairnProcess;
let alice: WorldUser;
let bob: WorldUser;
let carol: WorldUser;

/** The i-th small object: a key with spaces, non-ASCII or reserved characters, a body. */
function small(i: number) {
  const names = [`plain/${i}.txt`, `with space ${i}.txt`, `ünïcødé/日本語 ${i}`, `sym +&%=?# ${i}`];
  const body = createHash('sha512')
    .update(`object ${i}`)
    .digest()
    .toString('hex')
    .repeat(i % 5);
  return { key: names[i % 4]!, body: `${i}:${body}` };
}

function bigBody(): Buffer {
  const block = createHash('sha512').update('big').digest();
  const out = Buffer.alloc(BIG_BYTES);
  for (let at = 0; at < BIG_BYTES; at += block.length) block.copy(out, at);
  out.writeUInt32BE(0xdeadbeef, BIG_BYTES - 10);
  return out;
}

beforeAll(async () => {
  [source, target] = await Promise.all([startCairn(), startCairn()]);
  alice = await makeUser(source, target, 'alice', 'A1ALICE0000000000001');
  bob = await makeUser(source, target, 'bob', 'B2BOB000000000000002');
  carol = await makeUser(source, target, 'carol', 'C3CAROL0000000000003', 'disabled');
  await seedAlpha();
  await seedBravo();
}, 120_000);

afterAll(async () => {
  for (const user of [alice, bob, carol]) {
    user?.source.destroy();
    user?.target.destroy();
  }
  const errors = [...(source?.errorLogs() ?? []), ...(target?.errorLogs() ?? [])];
  await Promise.all([source?.cleanup(), target?.cleanup()]);
  expect(errors).toEqual([]);
});

/** alpha (alice's): 1,000 small objects, grants to bob and carol, a policy, bob's objects. */
async function seedAlpha() {
  const s3 = alice.source;
  await s3.send(new CreateBucketCommand({ Bucket: 'alpha' }));
  const owner = { ID: alice.id };
  const grant = (id: string, Permission: 'READ' | 'WRITE' | 'FULL_CONTROL') => ({
    Grantee: { Type: 'CanonicalUser' as const, ID: id },
    Permission,
  });
  const Grants = [grant(alice.id, 'FULL_CONTROL'), grant(bob.id, 'WRITE'), grant(carol.id, 'READ')];
  await s3.send(
    new PutBucketAclCommand({ Bucket: 'alpha', AccessControlPolicy: { Owner: owner, Grants } }),
  );
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::alpha/plain/*',
      },
    ],
  };
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'alpha', Policy: JSON.stringify(policy) }));
  const indexes = Array.from({ length: OBJECTS }, (_, i) => i);
  await eachLimit(indexes, 32, async (i) => {
    const { key, body } = small(i);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'alpha',
        Key: key,
        Body: body,
        ContentType: i % 2 ? 'text/plain; charset=utf-8' : 'application/x-thing',
        Metadata: { index: String(i), kind: i % 3 ? 'odd' : 'even' },
        ...(i % 7 === 0 ? { ContentEncoding: 'identity', ContentLanguage: 'fr' } : {}),
        ...(i % 11 === 0 ? { ContentDisposition: `attachment; filename="f${i}.txt"` } : {}),
        ...(i % 13 === 0
          ? { CacheControl: 'max-age=60', Expires: new Date(Date.UTC(2030, 0, 1)) }
          : {}),
        ...(i % 10 === 0 ? { ACL: 'public-read' as const } : {}),
        ...(i % 17 === 0 && i % 10 !== 0
          ? { GrantRead: `id="${carol.id}"`, GrantFullControl: `id="${alice.id}"` }
          : {}),
      }),
    );
  });
  for (const n of [1, 2, 3]) {
    await bob.source.send(
      new PutObjectCommand({ Bucket: 'alpha', Key: `from bob ${n}`, Body: `b${n}` }),
    );
  }
  // Less than the default: the owner may read but not change it; carol may read the ACL.
  await s3.send(
    new PutObjectAclCommand({
      Bucket: 'alpha',
      Key: small(5).key,
      AccessControlPolicy: {
        Owner: owner,
        Grants: [grant(alice.id, 'READ'), { ...grant(carol.id, 'READ'), Permission: 'READ_ACP' }],
      },
    }),
  );
}

/** bravo (bob's, public-read): a 50 MiB object uploaded in 8 MiB parts, and a small one. */
async function seedBravo() {
  const s3 = bob.source;
  await s3.send(new CreateBucketCommand({ Bucket: 'bravo', ACL: 'public-read' }));
  const key = 'big ✓ object.bin';
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: 'bravo',
      Key: key,
      ContentType: 'application/x-big',
      Metadata: { origin: 'multipart' },
      GrantRead: `id="${alice.id}"`,
      GrantFullControl: `id="${bob.id}"`,
    }),
  );
  const body = bigBody();
  const Parts = [];
  for (let at = 0, n = 1; at < BIG_BYTES; at += BIG_PART_BYTES, n++) {
    const part = body.subarray(at, Math.min(at + BIG_PART_BYTES, BIG_BYTES));
    const uploaded = await s3.send(
      new UploadPartCommand({
        Bucket: 'bravo',
        Key: key,
        UploadId: created.UploadId,
        PartNumber: n,
        Body: part,
      }),
    );
    Parts.push({ PartNumber: n, ETag: uploaded.ETag });
  }
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'bravo',
      Key: key,
      UploadId: created.UploadId,
      MultipartUpload: { Parts },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'bravo', Key: 'small', Body: 'small' }));
  await s3.send(new PutObjectTaggingCommand({ Bucket: 'bravo', Key: key, Tagging: TAGS }));
  await s3.send(new PutObjectTaggingCommand({ Bucket: 'bravo', Key: 'small', Tagging: TAGS }));
}

const TAGS = {
  TagSet: [
    { Key: 'project', Value: 'cairn import' },
    { Key: 'ünï', Value: 'a+b=c/d @x' },
  ],
};

const BIG_KEY = 'big ✓ object.bin';

/** Every object of the bucket is on the target with the same bytes, headers and ACL. */
async function expectSameObjects(bucket: string, keys: string[]) {
  await eachLimit(keys, 16, async (key) => {
    const ownerOf = key.startsWith('from bob') || bucket === 'bravo' ? bob : alice;
    const [from, to] = await Promise.all([
      objectFacts(ownerOf.source, bucket, key),
      objectFacts(ownerOf.target, bucket, key),
    ]);
    expect(to, key).toEqual(from);
    const [fromAcl, toAcl] = await Promise.all([
      aclFacts(ownerOf.source, bucket, key),
      aclFacts(ownerOf.target, bucket, key),
    ]);
    expect(toAcl, key).toEqual(fromAcl);
  });
}

describe('cairn-admin import', () => {
  it('survives being killed mid-bucket, with only whole objects on the target', async () => {
    const run = startImport(source, target, ['--concurrency', '4']);
    const count = async () => (await allKeys(alice.target, 'alpha')).length;
    expect(await waitFor(async () => (await count()) >= 100, 60_000)).toBe(true);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const present = await allKeys(alice.target, 'alpha');
    expect(present.length).toBeLessThan(OBJECTS);
    await expectSameObjects('alpha', present);
  });

  it('survives being killed mid-multipart: the object never appears half-made', async () => {
    const run = startImport(source, target, ['--concurrency', '4']);
    const uploading = () => uploadsIn(bob.target, 'bravo').then((n) => n > 0);
    expect(await waitFor(uploading, 90_000)).toBe(true);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const head = bob.target.send(new HeadObjectCommand({ Bucket: 'bravo', Key: BIG_KEY }));
    expect(await codeOf(head)).toBe('NotFound');
  });

  it('finishes on the next run: everything matches, nothing left half-made', async () => {
    const { code, report, stderr } = await runImport(source, target);
    expect(code, stderr + JSON.stringify(report?.problems)).toBe(0);
    expect(report!.problems).toEqual([]);
    expect(report!.etagChanges).toEqual([]);
    expect(report!.objects.done).toBeGreaterThan(0);
    expect(report!.objects.present).toBeGreaterThanOrEqual(100);
    expect(stderr).toMatch(/bucket alpha \(owner A1ALICE0000000000001\): \d+ copied/);
    const keys = await allKeys(alice.source, 'alpha');
    expect(keys).toHaveLength(OBJECTS + 3);
    expect(await allKeys(alice.target, 'alpha')).toEqual(keys);
    await expectSameObjects('alpha', keys);
    await expectSameObjects('bravo', await allKeys(bob.source, 'bravo'));
    expect(await uploadsIn(bob.target, 'bravo')).toBe(0);
    for (const key of [BIG_KEY, 'small']) {
      const tags = await bob.target.send(
        new GetObjectTaggingCommand({ Bucket: 'bravo', Key: key }),
      );
      expect(tags.TagSet, key).toEqual(TAGS.TagSet);
    }
    expect(await uploadsIn(alice.target, 'alpha')).toBe(0);
  });

  it('brings users across with their keys, canonical ids and status', async () => {
    for (const user of [alice, bob, carol]) {
      const [from, to] = await Promise.all([
        adminUser(source, user.keyId),
        adminUser(target, user.keyId),
      ]);
      expect(to.status).toBe(200);
      for (const field of ['key_id', 'key_secret', 'id', 'status', 'email', 'name']) {
        expect(to.json[field], field).toEqual(from.json[field]);
      }
    }
    expect(await codeOf(carol.target.send(new ListBucketsCommand({})))).toBe('AccessDenied');
    const listed = await alice.target.send(new ListBucketsCommand({}));
    expect(listed.Owner?.ID).toBe(alice.id);
  });

  it('brings buckets across with their ACLs and policy', async () => {
    for (const [user, bucket] of [
      [alice, 'alpha'],
      [bob, 'bravo'],
    ] as const) {
      const [from, to] = await Promise.all([
        user.source.send(new GetBucketAclCommand({ Bucket: bucket })),
        user.target.send(new GetBucketAclCommand({ Bucket: bucket })),
      ]);
      expect(to.Owner).toEqual(from.Owner);
      expect(to.Grants).toEqual(from.Grants);
    }
    const policy = async (s3: typeof alice.source) =>
      (await s3.send(new GetBucketPolicyCommand({ Bucket: 'alpha' }))).Policy;
    expect(await policy(alice.target)).toBe(await policy(alice.source));
  });

  it('copies only what changed on a later run', async () => {
    const changed = small(42).key;
    await alice.source.send(
      new PutObjectCommand({ Bucket: 'alpha', Key: changed, Body: 'new body' }),
    );
    const { code, report } = await runImport(source, target);
    expect(code).toBe(0);
    expect(report!.objects.done).toBe(1);
    expect(report!.objects.present).toBe(OBJECTS + 3 + 2 - 1);
    expect(report!.users.done).toBe(0);
    await expectSameObjects('alpha', [changed]);
  });

  it(
    'lets the old keys work on the new store with boto 2 (SigV2) and boto3',
    skipWith(missingTool('boto') || missingTool('boto3')),
    async () => {
      const script = `
import sys, json, hashlib, boto, boto3
from boto.s3.connection import S3Connection, OrdinaryCallingFormat
from botocore.client import Config
host, port, ak, asec, bk, bsec, key = sys.argv[1:8]
conn = S3Connection(aws_access_key_id=ak, aws_secret_access_key=asec, host=host, port=int(port),
                    is_secure=False, calling_format=OrdinaryCallingFormat())
alpha = conn.get_bucket('alpha')
names = [k.name for k in alpha.list()]
body = alpha.get_key(key).get_contents_as_string()
alpha.new_key('written by boto2').set_contents_from_string('hello')
s3 = boto3.client('s3', endpoint_url='http://%s:%s' % (host, port), region_name='us-east-1',
                  aws_access_key_id=bk, aws_secret_access_key=bsec,
                  config=Config(s3={'addressing_style': 'path'}))
big = s3.get_object(Bucket='bravo', Key=sys.argv[8])
digest = hashlib.sha256(big['Body'].read()).hexdigest()
print(json.dumps({'count': len(names), 'body': body.decode('utf-8'), 'etag': big['ETag'],
                  'sha256': digest}))
`;
      const url = new URL(target.url);
      const { key, body } = small(2);
      const args = ['-c', script, url.hostname, url.port, alice.keyId, alice.secret];
      args.push(bob.keyId, bob.secret, key, BIG_KEY);
      const env = { ...process.env };
      delete env.AWS_CA_BUNDLE;
      const { stdout } = await promisify(execFile)('/usr/bin/python3', args, {
        env,
        timeout: 60_000,
      });
      const seen = JSON.parse(stdout) as Record<string, unknown>;
      const source = await objectFacts(bob.source, 'bravo', BIG_KEY);
      expect(seen).toEqual({ count: OBJECTS + 3, body, etag: source.etag, sha256: source.sha256 });
      const head = await alice.target.send(
        new HeadObjectCommand({ Bucket: 'alpha', Key: 'written by boto2' }),
      );
      expect(head.ContentLength).toBe(5);
    },
  );
});
