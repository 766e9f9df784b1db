/**
 * The security issue's "no cluster without a secret" against real processes: `cairn node`,
 * `stanchion` and `s3` refuse to start without a cluster cookie (or with one short enough to
 * guess), saying how to set one; the cookie never travels on the wire; a storage node serves
 * only requests signed with it, and refuses a replayed, altered, late or wrongly keyed one.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { ADMIN_JS, MAIN_JS } from '../helpers/cairn-process.js';

const run = promisify(execFile);
const COOKIE = 'internal-auth-test-cookie-0123456789';

/** The environment without any cluster secret or config the developer may have set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['CAIRN_COOKIE', 'CAIRN_CONFIG', 'CAIRN_NODES', 'CAIRN_STANCHION']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

async function exec(file: string, args: string[], env = cleanEnv()) {
  try {
    const { stdout, stderr } = await run(process.execPath, [file, ...args], {
      env,
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** One raw request to the node: what the test sends is exactly what goes on the wire. */
function send(
  address: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`http://${address}${path}`, { method, headers, timeout: 10_000 });
    outgoing.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Headers of a request signed by `client` (JSON when there is a body). */
function signed(client: InternalClient, method: string, path: string, body?: string) {
  const type = body === undefined ? '' : 'application/json';
  const auth = client.sign(method, path, type, body === undefined ? undefined : Buffer.from(body));
  return { 'x-cairn-auth': auth, ...(type ? { 'content-type': type } : {}) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('no cluster without a secret', () => {
  const args: Record<string, string[]> = {
    node: ['--port', '1'],
    stanchion: ['--nodes', '127.0.0.1:1'],
    s3: ['--nodes', '127.0.0.1:1', '--stanchion', '127.0.0.1:1'],
  };

  it.each(['node', 'stanchion', 's3'])(
    'cairn %s refuses to start without a cookie, saying how to set one',
    async (program) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'cairn-nocookie-'));
      try {
        const dir = program === 's3' ? [] : ['--data-dir', dataDir];
        const result = await exec(MAIN_JS, [program, ...dir, ...args[program]!]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('--cookie');
        expect(result.stderr).toContain('CAIRN_COOKIE');
        expect(result.stderr).toContain('distributed_cookie');
        expect(result.stdout).not.toContain('is running');
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );

  it('refuses a cookie short enough to guess (Riak\'s "riak", 15 characters)', async () => {
    for (const cookie of ['riak', 'x'.repeat(15)]) {
      const result = await exec(MAIN_JS, ['node', '--port', '1', '--cookie', cookie]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/at least 16 characters/);
    }
  });

  it('cairn-admin refuses a cluster command without a cookie, saying how to give it', async () => {
    const result = await exec(ADMIN_JS, ['--node', '127.0.0.1:1', 'member-status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--cookie');
    expect(result.stderr).toContain('CAIRN_COOKIE');
  });
});

describe('the cookie never travels', () => {
  it('cairn-admin sends a signature, not the cookie', async () => {
    const seen: string[] = [];
    const fake = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        seen.push(chunk.toString('latin1'));
        socket.end('HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const port = (fake.address() as AddressInfo).port;
    try {
      const env = cleanEnv({ CAIRN_COOKIE: COOKIE });
      await exec(ADMIN_JS, ['--node', `127.0.0.1:${port}`, 'member-status'], env);
      await exec(ADMIN_JS, ['--node', `127.0.0.1:${port}`, '--cookie', COOKIE, 'ring-status']);
    } finally {
      await new Promise((r) => fake.close(r));
    }
    const wire = seen.join('');
    expect(wire).toContain('GET /admin/status');
    expect(wire).not.toContain(COOKIE);
    expect(wire.toLowerCase()).not.toContain('x-cairn-cookie');
    expect(wire.toLowerCase()).toMatch(/x-cairn-auth: cairn1-hmac-sha256 /);
  });
});

describe('a storage node serves signed requests only', () => {
  let child: ChildProcess;
  let address: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-authnode-'));
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      [MAIN_JS, 'node', '--name', 'n1@127.0.0.1', '--port', String(port), '--data-dir', dataDir],
      { env: cleanEnv({ CAIRN_COOKIE: COOKIE }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!output.includes('is running')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(output);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the cookie itself, in the header that used to carry it, opens nothing', async () => {
    for (const path of ['/ring', '/admin/status']) {
      const response = await fetch(`http://${address}${path}`, {
        headers: { 'x-cairn-cookie': COOKIE },
      });
      expect(response.status, path).toBe(401);
    }
    const ping = await fetch(`http://${address}/ping`);
    expect(ping.status).toBe(200);
  });

  it('serves a signed request once: a replay is refused', async () => {
    const client = new InternalClient({ cookie: COOKIE });
    const headers = signed(client, 'GET', '/admin/status');
    const first = await send(address, 'GET', '/admin/status', headers);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ nodeId: 'n1@127.0.0.1' });
    const again = await send(address, 'GET', '/admin/status', headers);
    expect(again.status).toBe(401);
    expect(again.text).toContain('already used');
  });

  it('refuses a signed request whose method, path or body changed; nothing is staged', async () => {
    const client = new InternalClient({ cookie: COOKIE });
    const join = JSON.stringify({ kind: 'join', nodeId: 'evil@127.0.0.1', address: '127.0.0.1:1' });
    const staged = signed(client, 'POST', '/admin/cluster/stage', '{}');
    const tampered = [
      ['POST', '/admin/cluster/stage', signed(client, 'POST', '/admin/cluster/stage', '{}'), join],
      ['POST', '/admin/cluster/stage', signed(client, 'POST', '/admin/cluster/plan', join), join],
      ['POST', '/admin/cluster/stage?x=1', staged, '{}'],
      ['GET', '/ring', signed(client, 'POST', '/ring', '{}'), undefined],
    ] as const;
    for (const [method, path, headers, body] of tampered) {
      const answer = await send(address, method, path, { ...headers }, body);
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.text).toContain('does not match');
    }
    const planBody = '{}';
    const plan = await send(
      address,
      'POST',
      '/admin/cluster/plan',
      signed(client, 'POST', '/admin/cluster/plan', planBody),
      planBody,
    );
    expect(plan.status).toBe(200);
    expect(JSON.parse(plan.text).staged).toEqual([]);
  });

  it('refuses a request signed with another cookie, or 6 minutes off its clock', async () => {
    const stranger = new InternalClient({ cookie: `${COOKIE}-not` });
    const wrong = await send(address, 'GET', '/ring', signed(stranger, 'GET', '/ring'));
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('does not match');
    for (const offMs of [-6 * 60_000, 6 * 60_000]) {
      const skewed = new InternalClient({ cookie: COOKIE }, () => Date.now() + offMs);
      const late = await send(address, 'GET', '/ring', signed(skewed, 'GET', '/ring'));
      expect(late.status).toBe(401);
      expect(late.text).toContain('check the clocks');
    }
  });
});
