/**
 * `npm run s3-tests`: the public S3 conformance suite (ceph/s3-tests, in ../shared/s3-tests)
 * against a fresh embedded store. Starts `cairn start` on a free port with a temporary data
 * dir, makes the suite's two users through the Riak CS admin API, runs the suite's run.sh,
 * and compares the outcome with scripts/s3-tests/expected-failures.txt: a failure not on the
 * list fails the run; a listed test that passed is reported so the list shrinks.
 *
 *   npm run s3-tests [-- [--out DIR] [--suite DIR] [--keep-data] [-- PYTEST ARGS…]]
 *   e.g. npm run s3-tests -- -- -k 'acl and not versioning'
 *   S3T_LC_DEBUG_INTERVAL=10 S3T_MARKEXPR='lifecycle' npm run s3-tests -- -- -k lifecycle
 *
 * Needs Debian's python3-boto3, python3-pytest and friends (see the suite's README); without
 * them it says which and exits 2 (CI installs them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { adminRequest, type AdminTarget } from '../../src/cli/admin-client.js';
import { compareRun, parseExpectedFailures, type Comparison } from './expectations.js';
import { parseJunit } from './junit.js';

const REPO = resolve(import.meta.dirname, '../../..');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const PY_MODULES = ['boto3', 'pytest', 'munch', 'isodate', 'pytz', 'yaml'];
const log = (line: string) => process.stdout.write(`${line}\n`);

interface SuiteUser {
  keyId: string;
  secret: string;
  id: string;
  displayName: string;
  email: string;
}

interface Server {
  child: ChildProcess;
  url: string;
  keyId: string;
  secret: string;
  output: () => string;
}

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string', default: join(REPO, '.s3-tests') },
      suite: {
        type: 'string',
        default: process.env.CAIRN_S3_TESTS_DIR ?? resolve(REPO, '../shared/s3-tests'),
      },
      'keep-data': { type: 'boolean', default: false },
    },
  });
  return {
    out: resolve(values.out),
    suite: resolve(values.suite),
    keepData: values['keep-data'],
    pytestArgs: positionals,
  };
}

/** The reason the suite cannot run here, or undefined. */
function missingPrerequisite(suite: string): string | undefined {
  if (!existsSync(join(suite, 'run.sh'))) {
    return `the S3 suite is not at ${suite} (set CAIRN_S3_TESTS_DIR or --suite)`;
  }
  const probe = spawnSync(PYTHON, ['-c', `import ${PY_MODULES.join(', ')}`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return (
      `${PYTHON} lacks the suite's Python modules (${probe.stderr.trim().split('\n').pop()}); ` +
      'install: apt-get install python3-boto3 python3-pytest python3-munch python3-isodate ' +
      'python3-tz python3-yaml python3-pytest-timeout'
    );
  }
  return undefined;
}

/**
 * The suite's lifecycle day (S3T_LC_DEBUG_INTERVAL, which run.sh writes as lc_debug_interval)
 * is the server's too, as RGW's rgw_lc_debug_interval: the lifecycle_expiration tests count
 * on both agreeing.
 */
function dayArgs(): string[] {
  const seconds = process.env.S3T_LC_DEBUG_INTERVAL;
  return seconds ? ['--lifecycle-day-seconds', seconds] : [];
}

/**
 * The encryption settings of the server under test: a fresh SSE-S3 master key beside (not
 * inside) the data dir, and SSE-C over plain HTTP, which the suite talks.
 */
async function encryptionArgs(dataDir: string): Promise<string[]> {
  const keyFile = `${dataDir}-kms.key`;
  await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return ['--kms-key-file', keyFile, '--allow-sse-c-over-http'];
}

async function startServer(dataDir: string): Promise<Server> {
  const encryption = await encryptionArgs(dataDir);
  const child = spawn(
    process.execPath,
    [
      join(REPO, 'dist/src/main.js'),
      ...['start', '--port', '0', '--data-dir', dataDir, ...dayArgs(), ...encryption],
    ],
    {
      env: { ...process.env, MALLOC_ARENA_MAX: '2', CAIRN_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const url = /^S3 endpoint: (\S+)$/m.exec(output)?.[1];
    const keyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(output)?.[1];
    const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(output)?.[1];
    if (url && keyId && secret) return { child, url, keyId, secret, output: () => output };
    if (child.exitCode !== null) throw new Error(`cairn exited before it was ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`cairn was not ready after 30 s:\n${output}`);
}

async function createSuiteUser(target: AdminTarget, name: string): Promise<SuiteUser> {
  const email = `${name}@example.com`;
  const answer = await adminRequest(target, 'POST', '/riak-cs/user', {
    contentType: 'application/json',
    text: JSON.stringify({ email, name }),
  });
  if (answer.status !== 201) {
    throw new Error(`creating user ${name}: ${answer.status} ${answer.text}`);
  }
  const json = JSON.parse(answer.text) as Record<string, string>;
  return {
    keyId: json.key_id!,
    secret: json.key_secret!,
    id: json.id!,
    displayName: json.display_name!,
    email,
  };
}

function runSuite(suite: string, url: URL, users: SuiteUser[], out: string, args: string[]) {
  const [main, alt] = users as [SuiteUser, SuiteUser];
  const env = {
    ...process.env,
    PYTHON,
    MAIN_USER_ID: main.id,
    MAIN_DISPLAY_NAME: main.displayName,
    MAIN_EMAIL: main.email,
    ALT_USER_ID: alt.id,
    ALT_DISPLAY_NAME: alt.displayName,
    ALT_EMAIL: alt.email,
  };
  const argv = [url.hostname, url.port, main.keyId, main.secret, alt.keyId, alt.secret, out];
  if (args.length > 0) argv.push('--', ...args);
  return new Promise<number>((done) => {
    const child = spawn(join(suite, 'run.sh'), argv, { env, stdio: 'inherit' });
    child.on('exit', (code) => done(code ?? 1));
  });
}

function report(comparison: Comparison, errorLines: string[]): boolean {
  const { unexpected, fixed, expected, passed, skipped } = comparison;
  log('');
  log(
    `s3-tests: ${passed} passed, ${expected.length} failed as listed, ` +
      `${unexpected.length} failed unexpectedly, ${skipped} skipped`,
  );
  for (const test of fixed) log(`  now passes, take it off the list: ${test.id}`);
  for (const test of unexpected) log(`  UNEXPECTED ${test.outcome}: ${test.id}  ${test.message}`);
  if (errorLines.length > 0) {
    log(`the server logged ${errorLines.length} error line(s) (a 500 or worse); first:`);
    for (const line of errorLines.slice(0, 5)) log(`  ${line.slice(0, 300)}`);
  }
  return unexpected.length === 0 && errorLines.length === 0;
}

async function main(): Promise<number> {
  const opts = options();
  const missing = missingPrerequisite(opts.suite);
  if (missing) {
    log(`s3-tests cannot run: ${missing}`);
    return 2;
  }
  const expected = parseExpectedFailures(
    await readFile(join(REPO, 'scripts/s3-tests/expected-failures.txt'), 'utf8'),
  );
  await rm(opts.out, { recursive: true, force: true });
  await mkdir(opts.out, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-s3-tests-'));
  const server = await startServer(dataDir);
  const stop = () => server.child.exitCode === null && server.child.kill('SIGKILL');
  process.on('exit', stop);
  try {
    const target = {
      url: server.url,
      keyId: server.keyId,
      secret: server.secret,
      region: 'us-east-1',
    };
    const users = [await createSuiteUser(target, 'main'), await createSuiteUser(target, 'alt')];
    await runSuite(opts.suite, new URL(server.url), users, opts.out, opts.pytestArgs);
    const junit = join(opts.out, 'junit.xml');
    if (!existsSync(junit)) {
      log('s3-tests: the suite wrote no JUnit report (see the output above)');
      return 1;
    }
    const comparison = compareRun(parseJunit(await readFile(junit, 'utf8')), expected);
    const errorLines = server
      .output()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l));
    await writeFile(join(opts.out, 'server.log'), server.output());
    return report(comparison, errorLines) ? 0 : 1;
  } finally {
    stop();
    if (!opts.keepData) await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}-kms.key`, { force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`s3-tests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
