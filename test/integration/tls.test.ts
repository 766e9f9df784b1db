/**
 * HTTPS on the S3 port of `cairn start`, with a test CA made here by openssl: the Riak CS
 * config keys (ssl.certfile, ssl.keyfile) turn it on; boto3, the aws CLI, s3cmd and
 * cairn-admin work against it verifying the certificate (and refuse it without the CA);
 * presigned, multipart and POST URLs keep https; aws:SecureTransport is true. A bad path,
 * a key of another certificate or half a pair stops the program before it creates anything.
 * SIGHUP re-reads the pair without closing the listener: new connections get the new
 * certificate, an open keep-alive connection keeps working, a bad pair is not taken.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { makeTestCa, type TestCa } from '../helpers/server-ca.js';
import { missingTool } from '../helpers/tools.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
const COMPAT = resolve(import.meta.dirname, '../compat');
const FLOW_TIMEOUT_MS = 180_000;
let ca: TestCa;
let work: string;
let server: CairnProcess;
let live: { certPath: string; keyPath: string };
let two: { certPath: string; keyPath: string };
let caPem: Buffer;

beforeAll(async () => {
  ca = await makeTestCa();
  caPem = await readFile(ca.caPath);
  work = await mkdtemp(join(tmpdir(), 'cairn-tls-'));
  const one = await ca.issue('one', 'cairn-one');
  two = await ca.issue('two', 'cairn-two');
  live = { certPath: join(work, 'live.pem'), keyPath: join(work, 'live.key') };
  await copyFile(one.certPath, live.certPath);
  await copyFile(one.keyPath, live.keyPath);
  const config = join(work, 'riak-cs.conf');
  await writeFile(config, `ssl.certfile = ${live.certPath}\nssl.keyfile = ${live.keyPath}\n`);
  server = await startCairn({ args: ['--config', config] });
}, 60_000);
afterAll(async () => {
  const errors = server?.errorLogs() ?? [];
  await server?.cleanup();
  await ca?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  expect(errors).toEqual([]);
});

interface Answer {
  status: number;
  body: string;
  commonName: string;
}

/** A GET over TLS trusting the test CA; the answer names the certificate's CN. */
function get(url: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, ...(agent ? { agent } : {}) }, (res) => {
      const socket = res.socket as TLSSocket;
      const commonName = String(socket.getPeerCertificate().subject?.CN ?? '');
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, commonName }));
    });
    req.on('error', reject);
    req.end();
  });
}
async function adminCreateUser(name: string): Promise<NodeJS.ProcessEnv> {
  const env = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: ca.caPath,
    AWS_ACCESS_KEY_ID: server.keyId,
    AWS_SECRET_ACCESS_KEY: server.secret,
  };
  const args = [ADMIN_JS, '--url', server.url, 'user', 'create'];
  const { stdout } = await run(
    process.execPath,
    [...args, '--email', `${name}@example.com`, '--name', name],
    { env },
  );
  const keyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(stdout)![1]!;
  const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(stdout)![1]!;
  const clean = { ...process.env };
  delete clean.AWS_CA_BUNDLE;
  return {
    ...clean,
    CAIRN_URL: server.url,
    CAIRN_CA: ca.caPath,
    AWS_ACCESS_KEY_ID: keyId,
    AWS_SECRET_ACCESS_KEY: secret,
  };
}

describe('TLS: the S3 port', () => {
  it('serves HTTPS only, at the https endpoint it prints (ssl.certfile, ssl.keyfile)', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ping = await get(`${server.url}/riak-cs/ping`);
    expect(ping.status).toBe(200);
    expect(ping.commonName).toBe('cairn-one');
    await expect(fetch(`http://127.0.0.1:${server.port}/riak-cs/ping`)).rejects.toThrow();
  });

  it.each([
    [
      'a missing certificate',
      () => ['--tls-cert', join(work, 'none.pem'), '--tls-key', live.keyPath],
      /cannot read the TLS certificate .*none\.pem: no such file/,
    ],
    [
      'a missing key',
      () => ['--tls-cert', live.certPath, '--tls-key', join(work, 'none.key')],
      /cannot read the TLS key .*none\.key: no such file/,
    ],
    ['half a pair', () => ['--tls-cert', live.certPath], /--tls-cert and --tls-key .* go together/],
    [
      'a file that is no certificate',
      () => ['--tls-cert', live.keyPath, '--tls-key', live.keyPath],
      /live\.key holds no PEM certificate/,
    ],
  ] as const)('refuses to start with %s, creating nothing', async (_what, args, message) => {
    const dataDir = join(work, `data-${Math.random().toString(36).slice(2)}`);
    await expect(startCairn({ dataDir, args: args() })).rejects.toThrow(message);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to start with a key that does not match the certificate (CAIRN_TLS_*)', async () => {
    const stray = await ca.strayKey('stray');
    const dataDir = join(work, 'data-mismatch');
    const env = { CAIRN_TLS_CERT: live.certPath, CAIRN_TLS_KEY: stray };
    await expect(startCairn({ dataDir, env })).rejects.toThrow(
      /the key in .*stray\.key does not match the certificate in .*live\.pem \(CN=cairn-one\)/,
    );
  });
});

describe('TLS: clients verify the certificate', () => {
  it(
    'boto3: objects, multipart, presigned URLs, POST, aws:SecureTransport',
    skipWith(missingTool('boto3'), FLOW_TIMEOUT_MS),
    async () => {
      const env = await adminCreateUser('boto3tls');
      const out = await run('/usr/bin/python3', [`${COMPAT}/boto3_tls_flow.py`], {
        env,
        timeout: FLOW_TIMEOUT_MS,
      });
      expect(out.stdout).toContain('boto3 tls flow OK');
    },
  );

  it(
    'aws CLI: mb, multipart cp, presign',
    skipWith(missingTool('aws'), FLOW_TIMEOUT_MS),
    async () => {
      const env = await adminCreateUser('awstls');
      const out = await run('bash', [`${COMPAT}/cli_tls_flow.sh`, 'aws'], {
        env,
        timeout: FLOW_TIMEOUT_MS,
      });
      expect(out.stdout).toContain('aws tls flow OK');
    },
  );

  it(
    's3cmd: mb, multipart put, signurl',
    skipWith(missingTool('s3cmd'), FLOW_TIMEOUT_MS),
    async () => {
      const env = await adminCreateUser('s3cmdtls');
      const out = await run('bash', [`${COMPAT}/cli_tls_flow.sh`, 's3cmd'], {
        env,
        timeout: FLOW_TIMEOUT_MS,
      });
      expect(out.stdout).toContain('s3cmd tls flow OK');
    },
  );
});

async function waitForOutput(pattern: RegExp, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((server.output().match(pattern) ?? []).length < count) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('TLS: SIGHUP reloads the certificate', () => {
  it('new connections get the new one; the open one and the listener stay', async () => {
    const kept = new Agent({ keepAlive: true, maxSockets: 1, ca: caPem });
    const before = await get(`${server.url}/riak-cs/ping`, kept);
    expect(before.commonName).toBe('cairn-one');
    await copyFile(two.certPath, live.certPath);
    await copyFile(two.keyPath, live.keyPath);
    process.kill(server.pid, 'SIGHUP');
    await waitForOutput(/TLS certificate reloaded \(CN=cairn-two/g, 1);
    const fresh = await get(`${server.url}/riak-cs/ping`, new Agent({ ca: caPem }));
    expect(fresh).toMatchObject({ status: 200, commonName: 'cairn-two' });
    const again = await get(`${server.url}/riak-cs/ping`, kept);
    expect(again).toMatchObject({ status: 200, commonName: 'cairn-one' });
    kept.destroy();
  });

  it('keeps the current pair when the new files are bad', async () => {
    await copyFile(await ca.strayKey('stray2'), live.keyPath);
    process.kill(server.pid, 'SIGHUP');
    await waitForOutput(/TLS certificate not reloaded, the previous one is still served/g, 1);
    const fresh = await get(`${server.url}/riak-cs/ping`, new Agent({ ca: caPem }));
    expect(fresh).toMatchObject({ status: 200, commonName: 'cairn-two' });
  });
});
