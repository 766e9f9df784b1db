/**
 * Step S6 of the CloudStack emulation: extract URLs. The management server presigns a GET
 * for 4 hours (extract.url.expiration.interval = 14400 s) and the end user fetches it with
 * curl: whole, by range, resumed; tampered, expired and wrong-verb URLs are refused.
 */
import AWS from 'aws-sdk';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { presignGet } from './cs-ops.js';
import type { CsWorld } from './cs-world.js';
import { sha256Stream, type ModeState } from './steps-template.js';

const run = promisify(execFile);
/** extract.url.expiration.interval's default. */
export const EXTRACT_EXPIRES_SEC = 14400;

/** Runs curl with `--resolve` for the virtual host; resolves with status, headers, stderr. */
export async function curl(world: CsWorld, url: string, args: string[]) {
  const host = new URL(url).hostname;
  const resolve =
    host === '127.0.0.1' ? [] : ['--resolve', `${host}:${world.target.port}:127.0.0.1`];
  const { stdout } = await run(
    'curl',
    ['-sS', ...resolve, '-D', '-', '-o', '/dev/null', '-w', '%{http_code}', ...args, url],
    { timeout: 120_000, maxBuffer: 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '' }));
  const status = Number(stdout.slice(-3));
  return { status, headers: stdout.slice(0, -3) };
}

async function curlTo(world: CsWorld, url: string, path: string, args: string[] = []) {
  const host = new URL(url).hostname;
  const resolve =
    host === '127.0.0.1' ? [] : ['--resolve', `${host}:${world.target.port}:127.0.0.1`];
  const { stdout } = await run(
    'curl',
    ['-sS', '-f', ...resolve, '-D', '-', '-o', path, ...args, url],
    { timeout: 300_000, maxBuffer: 1024 * 1024 },
  );
  return stdout;
}

/** The URLs one mode's extract would hand out: CsWire's, and aws-sdk v2's for path modes. */
function extractUrls(world: CsWorld, state: ModeState): string[] {
  const { mode } = state.wire;
  const urls = [presignGet(state.wire, state.templateKey, EXTRACT_EXPIRES_SEC)];
  if (!mode.vhost) {
    const s3 = new AWS.S3({
      endpoint: `http://127.0.0.1:${world.target.port}`,
      s3ForcePathStyle: true,
      signatureVersion: mode.signer,
      accessKeyId: mode.keys.accessKeyId,
      secretAccessKey: mode.keys.secretAccessKey,
      region: world.target.region,
    });
    const params = { Bucket: mode.bucket, Key: state.templateKey, Expires: EXTRACT_EXPIRES_SEC };
    urls.push(s3.getSignedUrl('getObject', params));
  }
  return urls;
}

/** S6.1/S6.2/S6.5: whole, ranged and resumed downloads by curl. */
export async function s6Fetch(world: CsWorld, state: ModeState): Promise<void> {
  const size = world.files.template.size;
  for (const [i, url] of extractUrls(world, state).entries()) {
    const out = join(world.stagingDir, `${state.wire.mode.name}-extract-${i}`);
    const ranged = await curlTo(world, url, `${out}.range`, ['-r', '0-1048575']);
    expect(ranged).toMatch(/^HTTP\/1\.1 206/);
    expect(ranged.toLowerCase()).toContain(`content-range: bytes 0-1048575/${size}`);
    expect((await stat(`${out}.range`)).size).toBe(1048576);
    const whole = await curlTo(world, url, out);
    expect(whole).toMatch(/^HTTP\/1\.1 200/);
    expect(whole.toLowerCase()).toContain(`content-length: ${size}`);
    expect(await sha256Stream(createReadStream(out))).toBe(world.templateDigests.sha256Hex);
    // A first attempt cut off after 1 MiB + 17 bytes, then `curl -C -` resumes it.
    await truncate(out, 1048576 + 17);
    const resumed = await curlTo(world, url, out, ['-C', '-']);
    expect(resumed).toMatch(/^HTTP\/1\.1 206/);
    expect(await sha256Stream(createReadStream(out))).toBe(world.templateDigests.sha256Hex);
  }
}

/** S6.3/S6.4: tampered (in any form), expired and HEAD-with-a-GET-signature URLs are 403. */
export async function s6Refusals(world: CsWorld, state: ModeState): Promise<void> {
  const { mode } = state.wire;
  const url = presignGet(state.wire, state.templateKey, EXTRACT_EXPIRES_SEC);
  // '0' and '1' are digits of both alphabets (hex for V4, base64 for V2).
  const tampered = url.replace(
    /(Signature=)(.)/,
    (_, name: string, c: string) => `${name}${c === '0' ? '1' : '0'}`,
  );
  const bad = await curl(world, tampered, []);
  expect(bad.status).toBe(403);
  // Signed 3 s ago, valid for 1 s (X-Amz-Expires=1, or Expires in the past for V2).
  const expired = presignGet(state.wire, state.templateKey, 1, Date.now() - 3000);
  const old = await curl(world, expired, []);
  expect(old.status).toBe(403);
  const head = await curl(world, url, ['-I']);
  expect(head.status).toBe(403);
  const code = await errorCode(world, tampered);
  expect(code).toBe('SignatureDoesNotMatch');
  if (mode.signer === 'v4') {
    // Tampered out of its hex form (case, length, alphabet): still 403, never 400.
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)![1]!;
    for (const other of [signature.toUpperCase(), `${signature}0`, `g${signature.slice(1)}`]) {
      const forged = url.replace(signature, other);
      expect((await curl(world, forged, [])).status, other).toBe(403);
      expect(await errorCode(world, forged), other).toBe('SignatureDoesNotMatch');
    }
  }
  // SigV2 says "Request has expired" as AccessDenied; SigV4 the same code.
  expect(await errorCode(world, expired)).toBe('AccessDenied');
  expect(mode.signer === 'v2' || url.includes('X-Amz-Expires=14400')).toBe(true);
}

async function errorCode(world: CsWorld, url: string): Promise<string | undefined> {
  const host = new URL(url).hostname;
  const resolve =
    host === '127.0.0.1' ? [] : ['--resolve', `${host}:${world.target.port}:127.0.0.1`];
  const { stdout } = await run('curl', ['-sS', ...resolve, url], { timeout: 30_000 });
  return /<Code>([^<]*)<\/Code>/.exec(stdout)?.[1];
}
