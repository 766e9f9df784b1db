/**
 * scripts/dev-cluster.sh says what every subcommand did and refuses node names the cluster
 * does not have; its ./dev is ignored by git. On the same two-node cluster: a second
 * `cairn node` or `cairn stanchion` on a running one's data dir is refused in one line
 * naming its pid, as is a node data dir made by a newer Cairn; and docker-compose's
 * cluster-init (scripts/cluster-init.sh, plain sh) joins the nodes, writes the admin keys
 * mode 0600, passes through a formed cluster, and fails loudly when a join fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS } from '../helpers/cairn-process.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { refusedStart } from '../helpers/refused-start.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const INIT = join(ROOT, 'scripts/cluster-init.sh');

let cluster: DevCluster;
const dirs: string[] = [];
beforeAll(async () => {
  cluster = await startDevCluster(2);
}, 120_000);
afterAll(async () => {
  await cluster?.cleanup();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}, 60_000);

const pidOf = async (name: string) =>
  Number((await readFile(join(cluster.dir, 'pids', `${name}.pid`), 'utf8')).trim());
const port = (i: number) => cluster.basePort + i;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How the script failed: its message (stdout and stderr). */
const failure = (args: string[]) =>
  cluster.script(...args).then(
    (out) => `unexpected success: ${out}`,
    (error: Error) => error.message,
  );

/** Runs cluster-init.sh on `nodes` with its keys in `keysDir`; resolves with how it ended. */
async function clusterInit(nodes: string[], keysDir: string) {
  const env = {
    ...process.env,
    CAIRN_INIT_NODES: nodes.join(' '),
    CAIRN_INIT_KEYS_DIR: keysDir,
    CAIRN_ADMIN: `${process.execPath} ${ADMIN_JS}`,
    CAIRN_COOKIE: cluster.cookie,
  };
  return run('sh', [INIT], { env, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('scripts/dev-cluster.sh', () => {
  it('start says what it started; ./dev is ignored by git', async () => {
    for (const name of ['dev1', 'dev2', 'stanchion1', 'stanchion2', 's3']) {
      const pid = await pidOf(name);
      expect(cluster.startOutput).toContain(`started ${name} (pid ${pid}), log in `);
    }
    await run('git', ['check-ignore', '-q', 'dev/dev1/cairn.pid'], { cwd: ROOT });
  });

  it('refuses node names the cluster does not have', async () => {
    for (const args of [
      ['kill', 'dev9'],
      ['restart', 'dev0'],
      ['pause', 'devX'],
      ['resume', 'dev3'],
    ]) {
      expect(await failure(args)).toContain(
        `dev-cluster: no such node ${args[1]}; this cluster has dev1..dev2, stanchion1,`,
      );
    }
    expect(await pidOf('dev2')).toBeGreaterThan(0);
  });

  it('restart, pause and resume say what they did', async () => {
    const before = await pidOf('dev2');
    const restarted = await cluster.script('restart', 'dev2');
    const after = await pidOf('dev2');
    expect(after).not.toBe(before);
    expect(restarted).toBe(`restarted dev2 (pid ${after}); killed pid ${before} first\n`);
    expect(await cluster.script('pause', 'dev2')).toBe('paused dev2\n');
    expect(await cluster.script('resume', 'dev2')).toBe('resumed dev2\n');
  }, 60_000);
});

describe('start-up failures: cluster programs', () => {
  const env = () => ({ CAIRN_COOKIE: cluster.cookie });

  it("a second node on a running node's data dir: one line naming its pid", async () => {
    const dataDir = join(cluster.dir, 'dev1');
    const args = ['node', '--name', 'dev1@127.0.0.1', '--port', String(port(9))];
    const refusal = await refusedStart([...args, '--data-dir', dataDir], { env: env() });
    expect(refusal.code).toBe(1);
    expect(refusal.stderr).toBe(
      `cairn: another cairn (pid ${await pidOf('dev1')}) is using ${dataDir}; ` +
        'stop it or use --data-dir\n',
    );
  });

  it("a second stanchion on a running one's data dir: one line naming its pid", async () => {
    const dataDir = join(cluster.dir, 'stanchion1');
    const nodes = `127.0.0.1:${port(1)},127.0.0.1:${port(2)}`;
    const args = ['stanchion', '--port', String(port(9)), '--nodes', nodes];
    const refusal = await refusedStart([...args, '--data-dir', dataDir], { env: env() });
    expect(refusal.code).toBe(1);
    expect(refusal.stderr).toBe(
      `cairn: another cairn (pid ${await pidOf('stanchion1')}) is using ${dataDir}; ` +
        'stop it or use --data-dir\n',
    );
  });

  it('a node data dir made by a newer Cairn: refused before it listens', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-newer-node-'));
    dirs.push(dataDir);
    await writeFile(join(dataDir, 'cairn-format.json'), '{"format":7,"writtenBy":"3.0.0"}');
    const args = ['node', '--name', 'dev7@127.0.0.1', '--port', String(port(9))];
    const refusal = await refusedStart([...args, '--data-dir', dataDir], { env: env() });
    expect(refusal.code).toBe(1);
    expect(refusal.stderr).toMatch(
      new RegExp(
        `^cairn: ${escaped(dataDir)} was made by Cairn 3\\.0\\.0 \\(data format 7\\); ` +
          'this is Cairn \\S+ \\(data format 1\\); upgrade Cairn\\n$',
      ),
    );
  });
});

describe("docker-compose's cluster-init (scripts/cluster-init.sh)", () => {
  it('joins, keeps keys 0600, passes a formed cluster, fails on a failed join', async () => {
    const keysDir = join(await mkdtemp(join(tmpdir(), 'cairn-init-')), 'cluster');
    dirs.push(resolve(keysDir, '..'));
    const nodes = [1, 2].map((i) => `dev${i}@127.0.0.1:${port(i)}`);
    const first = await clusterInit(nodes, keysDir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Valid:2 / Leaving:0');
    expect(first.stdout).toContain(`wrote the admin keys to ${keysDir}/admin.env (mode 0600)`);
    const keys = await readFile(join(keysDir, 'admin.env'), 'utf8');
    expect(keys).toMatch(/^AWS_ACCESS_KEY_ID=[0-9A-F]{20}\nAWS_SECRET_ACCESS_KEY=[0-9a-f]{40}\n$/);
    const conf = await readFile(join(keysDir, 'admin.conf'), 'utf8');
    expect(conf).toMatch(/^admin\.key = [0-9A-F]{20}\nadmin\.secret = [0-9a-f]{40}\n$/);
    for (const file of ['admin.env', 'admin.conf']) {
      expect((await stat(join(keysDir, file))).mode & 0o777).toBe(0o600);
    }
    expect(first.stdout + first.stderr).not.toContain(keys.split('\n')[1]!.split('=')[1]!);

    const again = await clusterInit(nodes, keysDir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('dev2@127.0.0.1 is already a member');
    expect(again.stdout).toContain('nothing to commit');
    expect(await readFile(join(keysDir, 'admin.env'), 'utf8')).toBe(keys);

    const missing = await clusterInit([...nodes, `dev3@127.0.0.1:${port(3)}`], keysDir);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'cluster-init: joining dev3@127.0.0.1 to dev1@127.0.0.1 failed',
    );
  }, 120_000);

  it('stop says what it stopped', async () => {
    const out = await cluster.script('stop');
    for (const name of ['dev1', 'dev2', 'stanchion1', 'stanchion2', 's3']) {
      expect(out).toMatch(new RegExp(`^stopped ${name} \\(pid \\d+\\)$`, 'm'));
    }
    expect(out).toContain(`stopped: 5 processes in ${cluster.dir}`);
  }, 60_000);
});
