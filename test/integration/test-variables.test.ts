/**
 * Test-only variables against real `cairn` processes. Outside the test suite (no
 * CAIRN_TESTING=1) a program that finds a CAIRN_TEST_* variable refuses to start, names it
 * and creates nothing; inside it, the suite's own knobs pass through. The one a store once
 * read, CAIRN_TEST_PART_BYTES_MIN, is refused everywhere, pointing at the setting that
 * replaced it: enforce_multipart_part_size, which off lets parts of any size complete and
 * on (the default) refuses them with EntityTooSmall, as S3 does.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, startCairn, useCairn } from '../helpers/cairn-process.js';
import { multipartCalls } from '../helpers/multipart-client.js';
import { s3Client } from '../helpers/s3-client.js';
import { codeOf } from '../helpers/s3-errors.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'cairn-test-vars-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** The environment of a process the suite did not start: CAIRN_TESTING unset. */
function outsideEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.CAIRN_TESTING;
  return env;
}

/** Runs `cairn ARGS` with `env`; its exit code and output, whatever the code. */
function cairn(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [MAIN_JS, ...args], { env, timeout: 20_000 }, (e, out, err) => {
      done({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        stdout: out,
        stderr: err,
      });
    });
  });
}

describe('CAIRN_TEST_* variables', () => {
  it('outside the suite, cairn start refuses one, naming it, and creates nothing', async () => {
    const dataDir = join(dir, 'outside');
    const env = outsideEnv({ CAIRN_TEST_SHORTCUT: '1' });
    const started = await cairn(['start', '--port', '0', '--data-dir', dataDir], env);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('CAIRN_TEST_SHORTCUT is set: CAIRN_TEST_* variables');
    expect(started.stdout).not.toContain('S3 endpoint');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('outside the suite, the cluster programs and chkconfig refuse one too', async () => {
    const env = outsideEnv({ CAIRN_TEST_SHORTCUT: '1' });
    const conf = join(dir, 'riak-cs.conf');
    await writeFile(conf, 'region = us-east-1\n');
    const runs = [
      ['s3', '--nodes', '127.0.0.1:1', '--stanchion', '127.0.0.1:1', '--port', '0'],
      ['node', '--name', 'n1@127.0.0.1', '--data-dir', join(dir, 'node')],
      ['chkconfig', '--config', conf],
    ];
    for (const args of runs) {
      const refused = await cairn(args, env);
      expect(refused.code, args[0]).toBe(1);
      expect(refused.stderr, args[0]).toContain('CAIRN_TEST_SHORTCUT is set');
    }
  });

  it('refuses CAIRN_TEST_PART_BYTES_MIN even inside the suite, naming its setting', async () => {
    const env = { ...process.env, CAIRN_TESTING: '1', CAIRN_TEST_PART_BYTES_MIN: '1' };
    const args = ['start', '--port', '0', '--data-dir', join(dir, 'retired')];
    const started = await cairn(args, env);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      'CAIRN_TEST_PART_BYTES_MIN is no longer read: to accept parts under 5 MiB, set ' +
        'enforce_multipart_part_size = off',
    );
  });
});

describe('enforce_multipart_part_size', () => {
  let s3: S3Client;
  // Inside the suite a knob of its own (this one sizes a test) does not stop the store.
  useCairn(
    {
      buckets: ['parts'],
      args: ['--enforce-multipart-part-size', 'off'],
      env: { CAIRN_TEST_BIG_MIB: '64' },
    },
    (started) => ({ s3 } = started),
  );

  const tinyParts = async (client: S3Client) => {
    const mp = multipartCalls(() => client, 'parts');
    const uploadId = await mp.create('tiny');
    const parts = [
      await mp.upload('tiny', uploadId, 1, Buffer.from('a')),
      await mp.upload('tiny', uploadId, 2, Buffer.from('b')),
    ];
    return codeOf(mp.complete('tiny', uploadId, parts));
  };

  it('off: a 1-byte part before the last completes', async () => {
    expect(await tinyParts(s3)).toBe('ok');
  });

  it('on, the default: the same upload is refused with EntityTooSmall', async () => {
    const strict = await startCairn({ args: ['--durability', 'none'] });
    const client = s3Client(strict);
    try {
      const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
      await client.send(new CreateBucketCommand({ Bucket: 'parts' }));
      expect(await tinyParts(client)).toBe('EntityTooSmall');
    } finally {
      client.destroy();
      await strict.cleanup();
    }
  });
});
