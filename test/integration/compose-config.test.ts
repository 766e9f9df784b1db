/**
 * docker-compose.yml is valid and describes the cluster DESIGN.md asks for: five storage
 * nodes, two stanchions and two S3 front ends, each with a named volume or health check. It
 * runs on no built-in cookie: without CAIRN_COOKIE it does not even configure, saying to run
 * scripts/compose-init.sh, which writes a random one into .env (mode 0600) and keeps it on
 * later runs. Storage nodes and stanchions are told where to listen (their default is
 * loopback). No Docker engine runs here, so `config` (parse, merge, validate) is the check,
 * in a copy of the file in a temporary directory (the repo's own .env is never touched).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingTool } from '../helpers/tools.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const INIT = join(ROOT, 'scripts/compose-init.sh');
const noCompose = missingTool('docker-compose');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-compose-'));
  await copyFile(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** The environment without a cookie the developer may have exported. */
function env(): NodeJS.ProcessEnv {
  const copy = { ...process.env };
  delete copy.CAIRN_COOKIE;
  return copy;
}

const compose = (args: string[]) =>
  run('docker-compose', args, { cwd: dir, env: env(), timeout: 60_000 });

describe('docker-compose.yml', () => {
  it(
    'refuses to configure without a cookie, saying how to make one',
    skipWith(noCompose),
    async () => {
      const failed = await compose(['config']).then(
        () => '',
        (error: { stderr: string }) => error.stderr,
      );
      expect(failed).toContain('run scripts/compose-init.sh');
    },
  );

  it(
    'compose-init.sh writes a random cookie into .env, then keeps it',
    skipWith(noCompose),
    async () => {
      await run('bash', [INIT, dir], { env: env(), timeout: 30_000 });
      const first = await readFile(join(dir, '.env'), 'utf8');
      expect(first).toMatch(/^CAIRN_COOKIE=[0-9a-f]{64}\n$/);
      expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
      const again = await run('bash', [INIT, dir], { env: env(), timeout: 30_000 });
      expect(again.stdout).toContain('kept');
      expect(await readFile(join(dir, '.env'), 'utf8')).toBe(first);
      const other = await mkdtemp(join(tmpdir(), 'cairn-compose-other-'));
      try {
        await run('bash', [INIT, other], { env: env(), timeout: 30_000 });
        expect(await readFile(join(other, '.env'), 'utf8')).not.toBe(first);
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    },
  );

  it(
    'passes docker-compose config with that cookie in every service',
    skipWith(noCompose),
    async () => {
      const cookie = /^CAIRN_COOKIE=(\w+)$/m.exec(await readFile(join(dir, '.env'), 'utf8'))![1]!;
      const { stdout } = await compose(['config']);
      const services = ['dev1', 'dev5', 'stanchion', 'stanchion2', 's3-1', 's3-2', 'cluster-init'];
      for (const service of services) {
        expect(stdout).toMatch(new RegExp(`^  ${service}:$`, 'm'));
      }
      for (const volume of ['dev1-data', 'dev5-data', 'stanchion-data', 'stanchion2-data']) {
        expect(stdout).toMatch(new RegExp(`^  ${volume}: \\{\\}$|^  ${volume}:$`, 'm'));
      }
      expect(stdout.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(9);
      // Five nodes, cluster-init, two stanchions, two front ends.
      expect(stdout.split(`CAIRN_COOKIE: ${cookie}`).length - 1).toBe(10);
      expect(stdout).not.toMatch(/CAIRN_COOKIE: (?!\w{64}$)/m);
    },
  );

  it('tells every node and stanchion where to listen (their default is loopback)', async () => {
    const text = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
    const commands = text.split('\n').filter((l) => /command: \["(node|stanchion)"/.test(l));
    expect(commands).toHaveLength(7);
    for (const line of commands) expect(line).toContain('"--host", "0.0.0.0"');
  });

  it('cluster-init fails loudly; the admin keys live in a volume for the stanchions', async () => {
    const text = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(text).not.toContain('|| true');
    expect(text).toContain('entrypoint: ["/bin/sh", "/app/scripts/cluster-init.sh"]');
    expect(text).toMatch(/^ {6}- cluster-admin:\/cluster$/m);
    expect(text.match(/^ {6}- cluster-admin:\/cluster:ro$/gm)).toHaveLength(2);
    expect(text.match(/^ {6}CAIRN_CONFIG: \/cluster\/admin\.conf$/gm)).toHaveLength(2);
    expect(text).toMatch(/^ {2}cluster-admin:$/m);
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('COPY scripts/cluster-init.sh scripts/cluster-init.sh');
    const script = await readFile(join(ROOT, 'scripts/cluster-init.sh'), 'utf8');
    expect(script).toMatch(/^set -eu$/m);
    expect(script).not.toContain('|| true');
  });
});
