/**
 * Real clients against a real cairn process: boto (v2, Signature V2) with the README's
 * flow and as Riak CS documents it (SigV4, and through Cairn as the proxy for
 * s3.amazonaws.com), boto3 (also through the proxy), the AWS SDK for Ruby v1, the aws CLI
 * (a 100 MiB multipart cp), s3cmd (V2 and V4), rclone, and aws-sdk v2 for JavaScript (V2
 * and V4), and SigV2's wire details with boto 2's signer as the reference
 * (sigv2_wire.py), and versioning through the aws CLI, rclone and boto3 (versions_flow.sh).
 * Each flow creates a bucket, puts, gets, lists,
 * uploads multipart, presigns where the client can, deletes and compares bytes. Each runs
 * as its own user, so every flow starts from an account with no buckets.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { missingTool } from '../helpers/tools.js';
import { awsSdkV2Flow } from '../compat/aws-sdk-v2-flow.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
/** Liveness bound of one flow (the aws CLI moves 100 MiB each way on a shared machine). */
const FLOW_TIMEOUT_MS = 240_000;
const COMPAT = resolve(import.meta.dirname, '../compat');
let server: CairnProcess;

beforeAll(async () => {
  server = await startCairn();
});
afterAll(async () => {
  const errors = server?.errorLogs() ?? [];
  await server?.cleanup();
  expect(errors).toEqual([]);
});

async function newUserEnv(name: string): Promise<NodeJS.ProcessEnv> {
  const res = await signedFetch(server.url, '/riak-cs/user', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.com`, name }),
    credentials: server,
  });
  expect(res.status).toBe(201);
  const user = (await res.json()) as { key_id: string; key_secret: string };
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  return {
    ...env,
    CAIRN_URL: server.url,
    PORT: String(server.port),
    AWS_ACCESS_KEY_ID: user.key_id,
    AWS_SECRET_ACCESS_KEY: user.key_secret,
  };
}

async function runFlow(command: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    const options = { env, timeout: FLOW_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 };
    return (await run(command, args, options)).stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}\n` +
        `server output:\n${server.output()}`,
    );
  }
}

describe('compatibility', () => {
  it(
    'boto (v2, SigV2, path style): README flow, multipart, presign',
    skipWith(missingTool('boto')),
    async () => {
      const out = await runFlow(
        '/usr/bin/python3',
        [`${COMPAT}/boto_flow.py`],
        await newUserEnv('boto'),
      );
      expect(out).toContain('boto flow OK');
    },
  );

  it(
    'SigV2 on the wire: boto 2 and botocore signers, empty sub-resources, UTF-8, presign',
    skipWith(missingTool('boto') || missingTool('boto3')),
    async () => {
      const out = await runFlow(
        '/usr/bin/python3',
        [`${COMPAT}/sigv2_wire.py`],
        await newUserEnv('sigv2wire'),
      );
      expect(out).toContain('sigv2 wire OK');
    },
  );

  it.each(['path-v4', 'proxy-vhost', 'proxy-path', 'proxy-v4'])(
    'boto (v2) as Riak CS documents it (%s): objects, ACLs, multipart',
    skipWith(missingTool('boto')),
    async (mode) => {
      const env = await newUserEnv(`boto-${mode}`);
      const out = await runFlow('/usr/bin/python3', [`${COMPAT}/boto_riak_cs_flow.py`, mode], env);
      expect(out).toContain(`boto riak cs flow OK ${mode}`);
    },
  );

  it(
    'boto3 through Cairn as the proxy for s3.amazonaws.com',
    skipWith(missingTool('boto3')),
    async () => {
      const env = await newUserEnv('boto3proxy');
      const out = await runFlow('/usr/bin/python3', [`${COMPAT}/boto3_proxy_flow.py`], env);
      expect(out).toContain('boto3 proxy flow OK');
    },
  );

  it(
    'AWS SDK for Ruby v1 (path style, SigV2): objects, ACLs, multipart',
    skipWith(missingTool('ruby-aws-sdk')),
    async () => {
      const env = await newUserEnv('ruby');
      const out = await runFlow('ruby', [`${COMPAT}/ruby_sdk_v1_flow.rb`], env);
      expect(out).toContain('ruby sdk v1 flow OK');
    },
  );

  it(
    'boto3 (SigV4): multipart, UploadPartCopy, presign',
    skipWith(missingTool('boto3')),
    async () => {
      const out = await runFlow(
        '/usr/bin/python3',
        [`${COMPAT}/boto3_flow.py`],
        await newUserEnv('boto3'),
      );
      expect(out).toContain('boto3 flow OK');
    },
  );

  it(
    'aws CLI: s3 (100 MiB multipart cp, presign) and s3api',
    skipWith(missingTool('aws'), FLOW_TIMEOUT_MS),
    async () => {
      const out = await runFlow('bash', [`${COMPAT}/awscli_flow.sh`], await newUserEnv('awscli'));
      expect(out).toContain('aws cli flow OK');
    },
  );

  it('s3cmd (SigV4, then SigV2)', skipWith(missingTool('s3cmd'), 120_000), async () => {
    const env = await newUserEnv('s3cmd');
    expect(await runFlow('bash', [`${COMPAT}/s3cmd_flow.sh`], env)).toContain('s3cmd flow OK');
    const v2 = { ...env, S3CMD_V2: 'True' };
    expect(await runFlow('bash', [`${COMPAT}/s3cmd_flow.sh`], v2)).toContain('s3cmd flow OK');
  });

  it('rclone (provider Other, path style, from env)', skipWith(missingTool('rclone')), async () => {
    const env = await newUserEnv('rclone');
    const out = await runFlow(
      'env',
      ['-u', 'AWS_CA_BUNDLE', 'bash', `${COMPAT}/rclone_flow.sh`],
      env,
    );
    expect(out).toContain('rclone flow OK');
  });

  it(
    'versions: aws s3api list-object-versions, rclone --s3-versions, boto3 object_versions',
    skipWith(missingTool('aws') ?? missingTool('rclone') ?? missingTool('boto3'), FLOW_TIMEOUT_MS),
    async () => {
      const env = await newUserEnv('versions');
      const out = await runFlow('bash', [`${COMPAT}/versions_flow.sh`], env);
      expect(out).toContain('versions flow OK');
    },
  );

  it.each(['v2', 'v4'] as const)('aws-sdk v2 for JavaScript (signatureVersion %s)', async (v) => {
    const env = await newUserEnv(`sdkv2-${v}`);
    const target = {
      url: server.url,
      keyId: env.AWS_ACCESS_KEY_ID!,
      secret: env.AWS_SECRET_ACCESS_KEY!,
    };
    await awsSdkV2Flow(target, v);
  });
});
