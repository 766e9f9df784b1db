/**
 * riak-cs's own commands under `cairn`, and the config file, against real processes:
 * ping (pong, or "Node is not running!" and exit 1), version, chkconfig (config is OK, or
 * every problem with its file and line), and `cairn start --config FILE` with Riak CS keys:
 * max_buckets_per_user enforced, admin.key/admin.secret used on first start and checked on
 * the next, and a CAIRN_* variable over the file.
 */
import { CreateBucketCommand, GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, startCairn, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { codeOf } from '../helpers/s3-errors.js';

const run = promisify(execFile);
let server: CairnProcess;
useCairn({}, (started) => ({ server } = started));
let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'cairn-conf-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs `cairn ARGS`; resolves with exit code and output whatever the code. */
async function cairn(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN_JS, ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function conf(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('cairn ping and version', () => {
  it('pings a front end: pong, exit 0; a closed port: Node is not running!, exit 1', async () => {
    expect(await cairn(['ping', '--url', server.url])).toMatchObject({ code: 0, stdout: 'pong\n' });
    const closed = await cairn(['ping', '--url', `http://127.0.0.1:${await closedPort()}`]);
    expect(closed).toMatchObject({ code: 1, stdout: 'Node is not running!\n' });
    expect(closed.stderr).toContain('ECONNREFUSED');
    const notNode = await cairn(['ping', '--node', `127.0.0.1:${server.port}`]);
    expect(notNode).toMatchObject({ code: 1, stdout: 'Node is not running!\n' });
  });

  it('getpid prints the pid of the store using a data dir, or says it is not running', async () => {
    const pid = await cairn(['getpid', '--data-dir', server.dataDir]);
    expect(pid).toMatchObject({ code: 0, stdout: `${server.pid}\n` });
    const none = await cairn(['getpid', '--data-dir', dir]);
    expect(none).toMatchObject({ code: 1, stdout: 'Node is not running!\n' });
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(MAIN_JS, '../../../package.json'), 'utf8'));
    expect(await cairn(['version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

describe('cairn chkconfig', () => {
  it('says config is OK and prints the settings in force, secrets hidden', async () => {
    const path = await conf(
      'ok.conf',
      '# a riak-cs.conf\nlistener = 0.0.0.0:8080\ngc.leeway_period = 2h\n' +
        'pool.request.size = 128\nadmin.key = AAAAAAAAAAAAAAAAAAAA\n' +
        'admin.secret = "abcdefghijklmnopqrst#uvwxyz"\n',
    );
    const checked = await cairn(['chkconfig', '--config', path]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^config is OK\n/);
    expect(checked.stdout).toContain('gc.leeway_period = 2h  # file');
    expect(checked.stdout).toContain('admin.secret = (set)  # file');
    expect(checked.stdout).not.toContain('abcdefghijklmnopqrst');
    expect(checked.stderr).toContain(`${path}:4: pool.request.size ignored`);
  });

  it('lists every problem with its file and line, and exits 1', async () => {
    const path = await conf(
      'bad.conf',
      'listener = 127.0.0.1:8080\ngc.leway_period = 2h\n' +
        'gc.interval = often\nmax_buckets_per_user = unlimited\n',
    );
    const checked = await cairn(['chkconfig', '--config', path]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toBe('');
    expect(checked.stderr).toContain('3 problems in the settings');
    expect(checked.stderr).toContain(`${path}:2: unknown setting gc.leway_period (did you mean`);
    expect(checked.stderr).toContain(`${path}:3: gc.interval: not a duration`);
    expect(checked.stderr).toContain(`${path}:4: max_buckets_per_user: unlimited is not`);
    const s3 = await cairn(['chkconfig', '--config', path, '--for', 'stanchion']);
    expect(s3.stderr).toContain('nodes is required');
  });

  it('says a missing file is missing, and checks CAIRN_* variables too', async () => {
    const missing = await cairn(['chkconfig', '--config', join(dir, 'nope.conf')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read config file ${join(dir, 'nope.conf')}`);
    const path = await conf('env.conf', 'region = eu-west-1\n');
    const env = await cairn(['chkconfig', '--config', path], { CAIRN_PORT: 'eighty' });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('CAIRN_PORT: expected an integer');
  });
});

describe('cairn start --config', () => {
  it('honours max_buckets_per_user, admin.key/admin.secret; CAIRN_* over file', async () => {
    const admin = { keyId: 'ADMINKEY000000000001', secret: 'admin-secret-0123456789' };
    const path = await conf(
      'start.conf',
      `max_buckets_per_user = 2\nadmin.key = ${admin.keyId}\nadmin.secret = ${admin.secret}\n` +
        'region = eu-west-1\nlistener = 127.0.0.1:1\n',
    );
    const store = await startCairn({
      args: ['--config', path],
      env: { CAIRN_REGION: 'us-east-1' },
    });
    try {
      expect({ keyId: store.keyId, secret: store.secret }).toEqual(admin);
      const s3 = s3Client(store);
      for (const name of ['one', 'two']) await s3.send(new CreateBucketCommand({ Bucket: name }));
      // CAIRN_REGION beat the file's region = eu-west-1 (us-east-1 answers an empty location).
      const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'one' }));
      expect(location.LocationConstraint ?? '').toBe('');
      expect(await codeOf(s3.send(new CreateBucketCommand({ Bucket: 'three' })))).toBe(
        'TooManyBuckets',
      );
      s3.destroy();
      expect(await store.stop()).toBe(0);
      const stopped = await cairn(['getpid', '--data-dir', store.dataDir]);
      expect(stopped.stdout).toBe('Node is not running!\n');
      const other = await conf(
        'other.conf',
        `admin.key = OTHERKEY000000000001\n` + `admin.secret = ${admin.secret}\n`,
      );
      const refused = await cairn([
        'start',
        '--port',
        '0',
        '--data-dir',
        store.dataDir,
        '--config',
        other,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'admin.key OTHERKEY000000000001 does not match the admin this store already has ' +
          `(${admin.keyId})`,
      );
    } finally {
      await store.cleanup();
    }
  });
});
