/**
 * Every cairn-admin failure names what it tried and what to change (issue 18): each command
 * group run against nothing listening, the wrong port (another cairn service), the wrong
 * kind of endpoint, bad keys and a bad cookie — against a real embedded store and a real
 * one-node dev cluster. Each message must name the address and the flag or variable to
 * change, the exit code must be non-zero, and no raw `fetch failed`, S3 XML or stack trace
 * may reach the user.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** One row: the arguments, extra environment, what the output must say, the exit code. */
type Row = [
  name: string,
  args: string[],
  env: Record<string, string>,
  says: RegExp[],
  code?: number,
];

let cwd: string;

/** cairn-admin with a clean environment, in a directory without ./data. */
function admin(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(AWS_|CAIRN_(?!TESTING))/.test(k)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ADMIN_JS, ...args],
      { env: { ...base, ...env }, cwd, timeout: 40_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a row and checks its message. */
async function check([, args, env, says, code]: Row): Promise<void> {
  const result = await admin(args, env);
  const output = result.stdout + result.stderr;
  if (code === undefined) expect(result.code, output).not.toBe(0);
  else expect(result.code, output).toBe(code);
  expect(output).not.toMatch(/fetch failed/);
  expect(output).not.toMatch(/<\?xml|<Error>|<Code>/);
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  for (const pattern of says) expect(output).toMatch(pattern);
}

const escape = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const COOKIE = 'not-the-cookie-of-any-cluster';
const URL_COMMANDS = [['user', 'list'], ['gc', 'status'], ['storage'], ['status']];
const NODE_COMMANDS = [
  ['member-status'],
  ['ring-status'],
  ['transfers'],
  ['cluster', 'plan'],
  ['cluster', 'join', 'dev1@127.0.0.1:8101'],
];
const NODE_FIX = [/--node HOST:PORT/, /CAIRN_NODE/];
const URL_FIX = [/--url/, /CAIRN_URL/];

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'cairn-cli-errors-'));
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('cairn-admin against the embedded store', () => {
  let server: CairnProcess;
  let closed: string;
  const rows: Row[] = [];

  beforeAll(async () => {
    server = await startCairn();
    closed = `127.0.0.1:${await closedPort()}`;
    const s3 = `127.0.0.1:${server.port}`;
    const store = { CAIRN_URL: server.url, CAIRN_DATA_DIR: server.dataDir };
    const refused = [escape(closed), /connection refused/];
    const nowhere = { CAIRN_URL: `http://${closed}`, CAIRN_DATA_DIR: server.dataDir };
    for (const args of [...URL_COMMANDS, ['stanchion', 'show']]) {
      const name = `nothing at --url: ${args.join(' ')}`;
      rows.push([name, args, nowhere, [...refused, ...URL_FIX]]);
    }
    for (const args of NODE_COMMANDS) {
      const env = { ...store, CAIRN_COOKIE: COOKIE };
      const name = `nothing at --node: ${args.join(' ')}`;
      rows.push([name, ['--node', closed, ...args], env, [...refused, ...NODE_FIX]]);
      const embedded = [escape(server.url), /embedded single-node store/, ...NODE_FIX];
      const answers = ['member-status', 'ring-status'].includes(args[0]!);
      if (!answers) rows.push([`embedded, no --node: ${args.join(' ')}`, args, store, embedded]);
      const wrong = [new RegExp(`${s3} is an S3 endpoint; .*needs a storage node`), ...NODE_FIX];
      rows.push([`S3 port as --node: ${args[0]}`, ['--node', s3, ...args], env, wrong]);
    }
    const url = { CAIRN_URL: `http://${s3}` };
    for (const args of URL_COMMANDS) {
      const bogus = { ...url, AWS_ACCESS_KEY_ID: 'NOSUCHKEY0000000', AWS_SECRET_ACCESS_KEY: 'x' };
      const keys = [/InvalidAccessKeyId/, /NOSUCHKEY0000000/, /AWS_ACCESS_KEY_ID/, /--data-dir/];
      rows.push([`unknown key: ${args.join(' ')}`, args, bogus, keys]);
      const badSecret = { ...url, AWS_ACCESS_KEY_ID: server.keyId, AWS_SECRET_ACCESS_KEY: 'x' };
      rows.push([`wrong secret: ${args.join(' ')}`, args, badSecret, [/SignatureDoesNotMatch/]]);
    }
    const stanchion = ['stanchion', 'status', '--cookie', COOKIE, '--stanchion'];
    rows.push([
      'nothing at --stanchion',
      [...stanchion, closed],
      {},
      [...refused, /CAIRN_STANCHION/],
    ]);
    rows.push(['S3 port as --stanchion', [...stanchion, s3], {}, [/is an S3 endpoint/, /--stanc/]]);
  });

  afterAll(async () => {
    const errors = server?.errorLogs() ?? [];
    await server?.cleanup();
    expect(errors).toEqual([]);
  });

  it('every row names the address tried and the fix (the table)', async () => {
    expect(rows.length).toBe(28);
    for (const row of rows) {
      await check(row).catch((error: unknown) => {
        throw new Error(`row "${row[0]}": ${(error as Error).message}`);
      });
    }
  }, 120_000);

  it('stanchion status answers for the in-process stanchion, exit 0', async () => {
    const env = { CAIRN_URL: server.url, CAIRN_DATA_DIR: server.dataDir };
    const result = await admin(['stanchion', 'status'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^in-process\s+active$/m);
    expect(result.stdout).toContain('embedded store');
    expect(result.stdout).not.toContain('No stanchion is active');
  });

  it("member-status and ring-status answer for the embedded store's one member", async () => {
    const env = { CAIRN_URL: server.url, CAIRN_DATA_DIR: server.dataDir };
    const members = await admin(['member-status'], env);
    expect(members.code, members.stderr).toBe(0);
    expect(members.stdout).toMatch(/^valid\s+100\.0%\s+--\s+'node1@127\.0\.0\.1'$/m);
    expect(members.stdout).toContain('Valid:1 / Leaving:0 / Exiting:0 / Joining:0 / Down:0');
    const ring = await admin(['ring-status'], env);
    expect(ring.code, ring.stderr).toBe(0);
    expect(ring.stdout).toContain("Claimant:  'node1@127.0.0.1'");
    expect(ring.stdout).toContain('All nodes are up and reachable');
  });

  it('accepts http:// on --node and says what answers there', async () => {
    const args = ['--node', `http://127.0.0.1:${server.port}/`, '--cookie', COOKIE];
    await check(['http:// node', [...args, 'member-status'], {}, [/is an S3 endpoint/]]);
  });
});

describe('cairn-admin against a one-node dev cluster', () => {
  let cluster: DevCluster;

  beforeAll(async () => {
    cluster = await startDevCluster(1);
  }, 120_000);

  afterAll(async () => {
    await cluster?.cleanup();
  });

  const addresses = () => ({
    node: `127.0.0.1:${cluster.basePort + 1}`,
    stanchion: `127.0.0.1:${cluster.basePort + 85}`,
  });

  it('a node or stanchion given as --url is named, with --url to change', async () => {
    const keys = { AWS_ACCESS_KEY_ID: cluster.keyId, AWS_SECRET_ACCESS_KEY: cluster.secret };
    for (const [kind, address] of Object.entries(addresses())) {
      for (const args of URL_COMMANDS) {
        const env = { ...keys, CAIRN_URL: `http://${address}` };
        const says = [new RegExp(`${address} is a ${kind === 'node' ? 'storage node' : kind}`)];
        await check([`${kind} as --url`, args, env, [...says, ...URL_FIX]]);
      }
    }
  });

  it('a stanchion as --node and a node as --stanchion are named', async () => {
    const { node, stanchion } = addresses();
    const env = { CAIRN_COOKIE: cluster.cookie };
    for (const args of NODE_COMMANDS) {
      const says = [new RegExp(`${stanchion} is a stanchion; .*needs a storage node`)];
      await check(['stanchion as --node', ['--node', stanchion, ...args], env, says]);
    }
    const says = [new RegExp(`${node} is a storage node`), /--stanchion/, /CAIRN_STANCHION/];
    await check(['node as --stanchion', ['stanchion', 'status', '--stanchion', node], env, says]);
  });

  it('a wrong cookie is said to be the cookie, for the node and the stanchion', async () => {
    const { node, stanchion } = addresses();
    const env = { CAIRN_COOKIE: COOKIE };
    const says = [/refused this cookie/, /--cookie/, /CAIRN_COOKIE/];
    for (const args of NODE_COMMANDS) {
      await check(['bad cookie', ['--node', node, ...args], env, [escape(node), ...says]]);
    }
    const status = ['stanchion', 'status', '--stanchion', stanchion];
    await check(['bad cookie, stanchion', status, env, [escape(stanchion), ...says]]);
  });

  it('with the right cookie, http://HOST:PORT on --node works', async () => {
    const { node } = addresses();
    const env = { CAIRN_COOKIE: cluster.cookie };
    const result = await admin(['--node', `http://${node}`, 'member-status'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/valid/);
  });
});
