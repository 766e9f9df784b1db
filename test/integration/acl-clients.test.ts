/**
 * An owner creating its bucket again, and ACL documents, through the clients Riak CS users
 * have: @aws-sdk/client-s3, boto (v2, SigV2) and boto3, against a store in us-east-1 (S3's
 * legacy answer: 200 and nothing changed, refused when asking for another ACL) and one in
 * eu-west-1 (BucketAlreadyOwnedByYou). boto's get_acl().to_xml() of a policy set with
 * set_acl(policy) is the document sent (test/compat/boto_acl_flow.py).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { missingTool } from '../helpers/tools.js';
import { codeOf, createUser, type TestUser } from '../helpers/users.js';
import { putAs } from '../helpers/acl-client.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
const COMPAT = resolve(import.meta.dirname, '../compat');
/** Liveness bound of one Python flow on a shared machine. */
const FLOW_TIMEOUT_MS = 60_000;

interface Store {
  region: string;
  server: CairnProcess;
  main: TestUser;
  alt: TestUser;
}

const stores: Store[] = [];

beforeAll(async () => {
  for (const region of ['us-east-1', 'eu-west-1']) {
    const server = await startCairn(region === 'us-east-1' ? {} : { args: ['--region', region] });
    stores.push({
      region,
      server,
      main: await createUser(server, `main-${region}@example.com`),
      alt: await createUser(server, `alt-${region}@example.com`),
    });
  }
}, 60_000);

afterAll(async () => {
  for (const { server, main, alt } of stores) {
    main.s3.destroy();
    alt.s3.destroy();
    const errors = server.errorLogs();
    await server.cleanup();
    expect(errors).toEqual([]);
  }
});

function flowEnv({ region, server, main, alt }: Store): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  return {
    ...env,
    REGION: region,
    CAIRN_URL: server.url,
    PORT: String(server.port),
    AWS_ACCESS_KEY_ID: main.keys.keyId,
    AWS_SECRET_ACCESS_KEY: main.keys.secret,
    ALT_KEY_ID: alt.keys.keyId,
    ALT_SECRET: alt.keys.secret,
    ALT_ID: alt.id,
    ALT_NAME: alt.displayName,
    ALT_EMAIL: alt.email,
    MAIN_ID: main.id,
    MAIN_NAME: main.displayName,
  };
}

async function runFlow(script: string, store: Store): Promise<string> {
  try {
    const options = { env: flowEnv(store), timeout: FLOW_TIMEOUT_MS };
    return (await run('/usr/bin/python3', [`${COMPAT}/${script}`], options)).stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${script} failed:\n${e.stdout}\n${e.stderr}\n${store.server.output()}`);
  }
}

async function sdkRecreate(store: Store, owner: S3Client, other: S3Client) {
  const legacy = store.region === 'us-east-1';
  const Bucket = `sdk-${store.region}`;
  await owner.send(new CreateBucketCommand({ Bucket }));
  await putAs(owner, Bucket, 'kept');
  const again = await codeOf(owner.send(new CreateBucketCommand({ Bucket })));
  expect(again).toBe(legacy ? 'ok' : 'BucketAlreadyOwnedByYou');
  const otherAcl = new CreateBucketCommand({ Bucket, ACL: 'authenticated-read' });
  expect(await codeOf(owner.send(otherAcl))).toBe(
    legacy ? 'BucketAlreadyExists' : 'BucketAlreadyOwnedByYou',
  );
  expect(await codeOf(other.send(new CreateBucketCommand({ Bucket })))).toBe('BucketAlreadyExists');
  // A bucket made public, then re-created with no ACL (private): refused, ACL kept.
  await owner.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' }));
  const privateAgain = await codeOf(owner.send(new CreateBucketCommand({ Bucket })));
  expect(privateAgain).toBe(legacy ? 'BucketAlreadyExists' : 'BucketAlreadyOwnedByYou');
  const samePublic = new CreateBucketCommand({ Bucket, ACL: 'public-read' });
  expect(await codeOf(owner.send(samePublic))).toBe(legacy ? 'ok' : 'BucketAlreadyOwnedByYou');
  const acl = await owner.send(new GetBucketAclCommand({ Bucket }));
  expect(acl.Grants?.map((g) => g.Grantee?.URI ?? g.Grantee?.ID)).toEqual([
    'http://acs.amazonaws.com/groups/global/AllUsers',
    acl.Owner?.ID,
  ]);
  const listed = await owner.send(new ListObjectsV2Command({ Bucket }));
  expect(listed.Contents?.map((o) => o.Key)).toEqual(['kept']);
}

describe('bucket re-create and ACL documents, by client and region', () => {
  for (const region of ['us-east-1', 'eu-west-1']) {
    const store = () => stores.find((s) => s.region === region)!;

    it(`@aws-sdk/client-s3: an owner's re-create (${region})`, async () => {
      const { server, main, alt } = store();
      const owner = s3Client(server, main.keys);
      const other = s3Client(server, alt.keys);
      try {
        await sdkRecreate(store(), owner, other);
      } finally {
        owner.destroy();
        other.destroy();
      }
    });

    it(
      `boto (v2): set_acl/get_acl round trip, grantees, re-create (${region})`,
      skipWith(missingTool('boto'), FLOW_TIMEOUT_MS),
      async () => {
        expect(await runFlow('boto_acl_flow.py', store())).toContain('boto acl flow OK');
      },
    );

    it(
      `boto3: re-create and ExpectedBucketOwner (${region})`,
      skipWith(missingTool('boto3'), FLOW_TIMEOUT_MS),
      async () => {
        expect(await runFlow('boto3_bucket_flow.py', store())).toContain('boto3 bucket flow OK');
      },
    );
  }
});
