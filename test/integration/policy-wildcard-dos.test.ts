/**
 * One tenant's bucket policy must not stall the others. Mallory fills her policy (up to the
 * 20 KiB limit) with the patterns that make a backtracking matcher take exponential or
 * high-polynomial time — `a*a*a*…*b` on resources and referers, long `?` runs — then sends
 * the inputs that trigger them: a 1,000-character key and a 12,000-character Referer. With
 * policy wildcards compiled to RegExp, her first request held the event loop for good.
 * Here her requests finish (refused: nothing matches), and another tenant's concurrent
 * GETs all answer, within the test's time limit; no timing figure is asserted (the machine
 * is shared).
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_BYTES_MAX } from '../../src/s3/access/policy.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { createUser, type TestUser } from '../helpers/users.js';

let server: CairnProcess;
let owner: S3Client;
let mallory: TestUser;
useCairn({ buckets: ['calm'] }, (started) => ({ server, s3: owner } = started));

const KEY = 'a'.repeat(1000);
const REFERER = `http://${'a'.repeat(12_000)}`;

/** The worst policy that fits: every statement's patterns backtrack on all-`a` inputs. */
function trapPolicy(): string {
  const statements = [
    { Resource: `arn:aws:s3:::trap/${'a*'.repeat(2500)}b` },
    {
      Resource: 'arn:aws:s3:::trap/*',
      Condition: {
        StringLike: {
          'aws:Referer': [
            `http://${'a*'.repeat(2000)}b`,
            `*${'?'.repeat(1500)}b*`,
            `*${'a'.repeat(1500)}b*`,
          ],
        },
      },
    },
  ].map((s) => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', ...s }));
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

beforeAll(async () => {
  mallory = await createUser(server, 'mallory@example.com');
  await mallory.s3.send(new CreateBucketCommand({ Bucket: 'trap' }));
  await mallory.s3.send(new PutObjectCommand({ Bucket: 'trap', Key: KEY, Body: 'bait' }));
  await owner.send(new PutObjectCommand({ Bucket: 'calm', Key: 'obj', Body: 'calm' }));
});

afterAll(() => mallory?.s3.destroy());

describe('policy wildcards: no tenant can stall the others', () => {
  it('the worst policy that fits is accepted, and its worst requests finish', async () => {
    const policy = trapPolicy();
    expect(Buffer.byteLength(policy)).toBeLessThanOrEqual(POLICY_BYTES_MAX);
    await mallory.s3.send(new PutBucketPolicyCommand({ Bucket: 'trap', Policy: policy }));
    const trap = () =>
      fetch(`${server.url}/trap/${KEY}`, { headers: { referer: REFERER } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const calm = () =>
      owner
        .send(new GetObjectCommand({ Bucket: 'calm', Key: 'obj' }))
        .then(async (r) => (await r.Body!.transformToString()) === 'calm');
    const [trapped, served] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, trap)),
      Promise.all(Array.from({ length: 40 }, calm)),
    ]);
    // Nothing in the policy matches (there is no `b`), so the anonymous reads are refused.
    expect(trapped).toEqual(Array.from({ length: 8 }, () => 403));
    expect(served.every(Boolean)).toBe(true);
    // And a request the trap does let through still works: the policy is evaluated, not
    // skipped.
    const open = await fetch(`${server.url}/trap/${KEY}`, {
      headers: { referer: `http://${'a'.repeat(1500)}b` },
    });
    expect(open.status).toBe(200);
    expect(await open.text()).toBe('bait');
  }, 60_000);
});
