/**
 * No credential in any log line, at the most verbose level: the compatibility flows (boto
 * 2, boto3, the aws CLI, s3cmd V4 and V2, rclone, aws-sdk v2 for JavaScript with V2 and
 * V4) run against `cairn start --log-level trace` through a relay that records, on the
 * client's side, every Authorization value, signature, credential and chunk signature the
 * clients sent; then the server's whole output is searched for each of them and for every
 * user's secret key (a rekeyed one included). Presigned URLs with a bad signature and a
 * failing Authorization are sent too, since error paths log more.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSdkV2Flow } from '../compat/aws-sdk-v2-flow.js';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { missingTool } from '../helpers/tools.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
const FLOW_TIMEOUT_MS = 240_000;
const COMPAT = resolve(import.meta.dirname, '../compat');
let server: CairnProcess;
let proxy: RecordingProxy;
const userSecrets: string[] = [];

beforeAll(async () => {
  server = await startCairn({ args: ['--log-level', 'trace'] });
  proxy = await startRecordingProxy(server.port);
});
afterAll(async () => {
  await proxy?.close();
  await server?.cleanup();
});

async function newUser(name: string): Promise<{ key_id: string; key_secret: string }> {
  const res = await signedFetch(proxy.url, '/riak-cs/user', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.com`, name }),
    credentials: server,
  });
  expect(res.status).toBe(201);
  const user = (await res.json()) as { key_id: string; key_secret: string };
  userSecrets.push(user.key_secret);
  return user;
}

async function flowEnv(name: string): Promise<NodeJS.ProcessEnv> {
  const user = await newUser(name);
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  return {
    ...env,
    CAIRN_URL: proxy.url,
    PORT: String(proxy.port),
    AWS_ACCESS_KEY_ID: user.key_id,
    AWS_SECRET_ACCESS_KEY: user.key_secret,
  };
}

async function runFlow(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const options = { env, timeout: FLOW_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 };
  return (await run(command, args, options)).stdout;
}

/** The server's output without the start-up banner, which prints the admin's keys. */
function logOutput(): string {
  return server
    .output()
    .split('\n')
    .filter((line) => !line.startsWith('AWS_SECRET_ACCESS_KEY='))
    .join('\n');
}

describe('logs: no credential at --log-level trace', () => {
  it(
    'boto (v2, SigV2, and SigV4 as Riak CS documents)',
    skipWith(missingTool('boto')),
    async () => {
      const env = await flowEnv('boto');
      expect(await runFlow('/usr/bin/python3', [`${COMPAT}/boto_flow.py`], env)).toContain('OK');
      const v4 = await flowEnv('botov4');
      const out = await runFlow(
        '/usr/bin/python3',
        [`${COMPAT}/boto_riak_cs_flow.py`, 'path-v4'],
        v4,
      );
      expect(out).toContain('OK');
    },
  );

  it('boto3 (SigV4, presigned URLs)', skipWith(missingTool('boto3')), async () => {
    const env = await flowEnv('boto3');
    expect(await runFlow('/usr/bin/python3', [`${COMPAT}/boto3_flow.py`], env)).toContain('OK');
  });

  it('aws CLI (multipart, presign)', skipWith(missingTool('aws'), FLOW_TIMEOUT_MS), async () => {
    const env = await flowEnv('awscli');
    expect(await runFlow('bash', [`${COMPAT}/awscli_flow.sh`], env)).toContain('OK');
  });

  it('s3cmd (SigV4, then SigV2)', skipWith(missingTool('s3cmd'), 120_000), async () => {
    const env = await flowEnv('s3cmd');
    expect(await runFlow('bash', [`${COMPAT}/s3cmd_flow.sh`], env)).toContain('OK');
    const v2 = { ...env, S3CMD_V2: 'True' };
    expect(await runFlow('bash', [`${COMPAT}/s3cmd_flow.sh`], v2)).toContain('OK');
  });

  it('rclone', skipWith(missingTool('rclone')), async () => {
    const env = await flowEnv('rclone');
    expect(await runFlow('bash', [`${COMPAT}/rclone_flow.sh`], env)).toContain('OK');
  });

  it.each(['v2', 'v4'] as const)(
    'aws-sdk v2 for JavaScript (%s)',
    async (version) => {
      const user = await newUser(`sdkv2-${version}`);
      await awsSdkV2Flow({ url: proxy.url, keyId: user.key_id, secret: user.key_secret }, version);
    },
    FLOW_TIMEOUT_MS,
  );

  it('failures: a tampered presigned URL, a wrong Authorization, a rekeyed user', async () => {
    const user = await newUser('failures');
    const sig = 'a'.repeat(64);
    const cred = `${user.key_id}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request`;
    const bad = await fetch(
      `${proxy.url}/nobucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${cred}` +
        `&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host` +
        `&X-Amz-Signature=${sig}&X-Amz-Security-Token=sessiontokenvalue1234`,
    );
    expect(bad.status).toBe(403);
    const v2 = await fetch(`${proxy.url}/`, {
      headers: { authorization: `AWS ${user.key_id}:c2lnbmF0dXJlLXRoYXQtaXMtd3Jvbmc=` },
    });
    expect(v2.status).toBe(403);
    const rekey = await signedFetch(proxy.url, `/riak-cs/user/${user.key_id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ new_key_secret: true }),
      credentials: server,
    });
    expect(rekey.status).toBe(200);
    userSecrets.push(((await rekey.json()) as { key_secret: string }).key_secret);
  });

  it('the log holds none of the secrets and signatures the clients used', () => {
    const seen = [...proxy.credentials()];
    expect(seen.length).toBeGreaterThan(20);
    expect(server.output()).toContain('"msg":"incoming request"');
    const log = logOutput();
    const leaked = [...userSecrets, server.secret, ...seen].filter((s) => log.includes(s));
    expect(leaked).toEqual([]);
  });
});
