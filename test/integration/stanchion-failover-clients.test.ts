/**
 * A stanchion failover that clients at their default retries never see (issue 18): in a
 * real cluster with two stanchions, `kill -9` of the active one and then, at once, a
 * create-bucket from the aws CLI, boto3 and the AWS SDK for JavaScript v3, each at its
 * default settings (aws CLI v2: standard mode, 3 attempts; boto3: legacy, 5 attempts;
 * SDK v3: standard, 3 attempts), none of which would outlast a takeover by itself. The
 * front end waits for the new leader (stanchion.failover_wait, 10 s by default). When no
 * stanchion is left, the 503 says so and when to retry.
 */
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { missingTool } from '../helpers/tools.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
/** Bound of one client's create-bucket: the front end's 10 s wait, retries, a busy machine. */
const CLIENT_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: DevCluster;

beforeAll(async () => {
  cluster = await startDevCluster(3);
  await cluster.script('join');
}, 120_000);

afterAll(async () => {
  await cluster?.cleanup();
}, 60_000);

/** The environment of an external client: the admin's keys, no config file of the user's. */
function clientEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: cluster.keyId,
    AWS_SECRET_ACCESS_KEY: cluster.secret,
    AWS_DEFAULT_REGION: 'us-east-1',
    // Default settings: neither ~/.aws/config nor credentials may change the retries.
    AWS_CONFIG_FILE: '/nonexistent/cairn-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/cairn-test-aws-credentials',
  };
}

async function runClient(command: string, args: string[]): Promise<string> {
  try {
    const options = { env: clientEnv(), timeout: CLIENT_TIMEOUT_MS };
    const { stdout, stderr } = await run(command, args, options);
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} failed: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

const BOTO3_CREATE = [
  'import boto3, sys',
  "s3 = boto3.client('s3', endpoint_url=sys.argv[1])",
  's3.create_bucket(Bucket=sys.argv[2])',
  "print('created', sys.argv[2])",
].join('\n');

function sdkClient(): S3Client {
  // The SDK's defaults but for path-style addressing (the endpoint is an IP address).
  return new S3Client({
    endpoint: cluster.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: cluster.keyId, secretAccessKey: cluster.secret },
  });
}

/** The create-bucket of each client that is installed here (each skips with its reason). */
const CLIENTS = [
  {
    name: 'aws CLI (/usr/bin/aws s3 mb)',
    bucket: 'failover-awscli',
    missing: missingTool('aws'),
    create: (bucket: string) =>
      runClient('/usr/bin/aws', ['s3', 'mb', `s3://${bucket}`, '--endpoint-url', cluster.endpoint]),
  },
  {
    name: 'boto3 create_bucket',
    bucket: 'failover-boto3',
    missing: missingTool('boto3'),
    create: (bucket: string) =>
      runClient('/usr/bin/python3', ['-c', BOTO3_CREATE, cluster.endpoint, bucket]),
  },
  {
    name: '@aws-sdk/client-s3 CreateBucketCommand',
    bucket: 'failover-sdk-v3',
    missing: undefined,
    create: async (bucket: string) => {
      const s3 = sdkClient();
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      s3.destroy();
      return `created ${bucket}`;
    },
  },
];

describe('stanchion failover: clients at default retries (3 nodes, 2 stanchions)', () => {
  const outcomes = new Map<string, PromiseSettledResult<string>>();

  it('kill -9 of the active stanchion, then at once a create from each client', async () => {
    // A settled cluster: a create answered, and the standby has followed for a while.
    await sdkClient().send(new CreateBucketCommand({ Bucket: 'before-failover' }));
    await sleep(2000);
    expect(await cluster.script('kill', 'stanchion')).toMatch(/killed stanchion[12]/);
    const killedAtMs = Date.now();
    const running = CLIENTS.filter((c) => !c.missing);
    for (const c of CLIENTS) if (c.missing) process.stdout.write(`skip ${c.name}: ${c.missing}\n`);
    const settled = await Promise.allSettled(running.map((c) => c.create(c.bucket)));
    process.stdout.write(`created across the takeover in ${Date.now() - killedAtMs} ms\n`);
    running.forEach((c, i) => outcomes.set(c.bucket, settled[i]!));
    expect(outcomes.size).toBe(running.length);
  }, 120_000);

  for (const c of CLIENTS) {
    it(`${c.name} created its bucket; it is listed`, skipWith(c.missing), async () => {
      const outcome = outcomes.get(c.bucket);
      const reason = outcome?.status === 'rejected' ? String(outcome.reason) : '';
      expect(outcome?.status, reason).toBe('fulfilled');
      const listed = await sdkClient().send(new ListBucketsCommand({}));
      const names = (listed.Buckets ?? []).map((b) => b.Name);
      expect(names).toContain('before-failover');
      expect(names).toContain(c.bucket);
    });
  }

  it('with no stanchion left: 503 after the wait, naming stanchion, with Retry-After', async () => {
    await cluster.script('kill', 'stanchion1').catch(() => undefined);
    await cluster.script('kill', 'stanchion2').catch(() => undefined);
    const startedMs = Date.now();
    const res = await signedFetch(cluster.endpoint, '/no-serializer', {
      method: 'PUT',
      credentials: cluster,
    });
    const elapsedMs = Date.now() - startedMs;
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).toContain('<Code>ServiceUnavailable</Code>');
    expect(text).toMatch(/<Message>[^<]*\(stanchion\) is unreachable[^<]*Retry[^<]*<\/Message>/);
    expect(text).not.toContain('reduce your request rate');
    expect(res.headers.get('retry-after')).toBe('5');
    // It waited for a takeover (10 s by default), and no longer than a few rounds more.
    expect(elapsedMs).toBeGreaterThanOrEqual(8500);
    expect(elapsedMs).toBeLessThan(20_000);
    const names = (await sdkClient().send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
    for (const [bucket] of outcomes) expect(names).toContain(bucket);
  }, 60_000);
});
