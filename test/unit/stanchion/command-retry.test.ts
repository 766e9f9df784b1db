/**
 * A front end waits through a stanchion takeover (command-retry.ts, HttpStanchionClient):
 * a command no stanchion accepts is sent again with backoff, with the same id, until one
 * does or the wait runs out; configuration refusals are never retried; the 503 it ends in
 * names stanchion and carries Retry-After.
 */
import { describe, expect, it } from 'vitest';
import type { InternalClient, InternalRequest } from '../../../ring/transport/internal-client.js';
import { HttpStanchionClient } from '../../../stanchion/client.js';
import {
  commandRetryDelayMs,
  RETRY_DELAY_MAX_MS,
  retryThroughFailover,
} from '../../../stanchion/command-retry.js';
import { StanchionUnavailableError } from '../../../stanchion/server.js';
import { toS3Error } from '../../../src/http/error-mapping.js';

type Answer = { status: number; body: unknown } | Error;

/** A fake internal client: `answer` decides each request; every request is recorded. */
function fakeInternal(answer: (address: string, nowMs: number) => Answer) {
  const sent: Array<{ address: string; atMs: number; body: unknown }> = [];
  const clock = { nowMs: 0 };
  const client = {
    request(address: string, options: InternalRequest) {
      sent.push({
        address,
        atMs: clock.nowMs,
        body: JSON.parse(String(options.body)) as unknown,
      });
      const a = answer(address, clock.nowMs);
      if (a instanceof Error) return Promise.reject(a);
      return Promise.resolve({ status: a.status, body: Buffer.from(JSON.stringify(a.body)) });
    },
  } as unknown as InternalClient;
  return { client, sent, clock };
}

function httpClient(fake: ReturnType<typeof fakeInternal>, waitMs = 10_000) {
  return new HttpStanchionClient(['a:1', 'b:2'], fake.client, {
    waitMs,
    retry: {
      nowMs: () => fake.clock.nowMs,
      sleep: (ms) => {
        fake.clock.nowMs += ms;
        return Promise.resolve();
      },
      random: () => 0.5,
    },
  });
}

const STANDBY = { status: 503, body: { error: 'this stanchion is a standby', role: 'standby' } };
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const OK = { status: 200, body: { ok: true } };
const command = { type: 'delete-bucket', name: 'b', requesterId: 'u', isEmpty: true } as const;

describe('stanchion command retry: backoff', () => {
  it('doubles from 100 ms up to 500 ms, jittered down by at most half', () => {
    const full = [100, 200, 400, 500, 500, 500];
    full.forEach((ms, round) => {
      expect(commandRetryDelayMs(round, 0)).toBe(ms / 2);
      expect(commandRetryDelayMs(round, 0.999_999)).toBe(ms);
    });
    expect(commandRetryDelayMs(10_000, 0.999_999)).toBe(RETRY_DELAY_MAX_MS);
  });

  it('gives up once the next delay would pass the wait (waitMs 0: one round)', async () => {
    let rounds = 0;
    const failing = () => {
      rounds++;
      return Promise.resolve({
        ok: false as const,
        failures: ['x: down'],
        standbyAnswered: false,
        hopeless: false,
      });
    };
    const options = { waitMs: 0, nowMs: () => 0, sleep: () => Promise.resolve(), random: () => 0 };
    await expect(retryThroughFailover(failing, options)).rejects.toThrow(/x: down/);
    expect(rounds).toBe(1);
  });
});

describe('stanchion command retry: HttpStanchionClient through a takeover', () => {
  it('waits for the standby to take over, with one command id for every attempt', async () => {
    // a:1 was killed; b:2 is a standby that becomes active 4.5 s later.
    const fake = fakeInternal((address, nowMs) =>
      address === 'a:1' ? refused() : nowMs < 4500 ? STANDBY : OK,
    );
    const stanchion = httpClient(fake);
    const result = await stanchion.execute(command);
    expect(result).toEqual({ ok: true });
    expect(fake.clock.nowMs).toBeGreaterThanOrEqual(4500);
    expect(fake.clock.nowMs).toBeLessThan(4500 + RETRY_DELAY_MAX_MS);
    const ids = new Set(fake.sent.map((s) => (s.body as { id?: string }).id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
    // The one that answered is asked first next time.
    fake.sent.length = 0;
    await stanchion.execute(command);
    expect(fake.sent.map((s) => s.address)).toEqual(['b:2']);
  });

  it('ends in StanchionUnavailableError (failing over) after the wait', async () => {
    const fake = fakeInternal((address) => (address === 'a:1' ? refused() : STANDBY));
    const error = await httpClient(fake, 3000)
      .execute(command)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StanchionUnavailableError);
    expect((error as StanchionUnavailableError).failingOver).toBe(true);
    expect(fake.clock.nowMs).toBeGreaterThan(2000);
    expect(fake.clock.nowMs).toBeLessThanOrEqual(3000);
    const s3 = toS3Error(error);
    expect(s3.code).toBe('ServiceUnavailable');
    expect(s3.status).toBe(503);
    expect(s3.message).toMatch(/\(stanchion\) is failing over.*Retry in a few seconds/);
    expect(s3.headers['retry-after']).toBe('5');
  });

  it('says unreachable (not failing over) when no stanchion answers at all', async () => {
    const fake = fakeInternal(() => refused());
    const error = await httpClient(fake, 1000)
      .execute(command)
      .catch((e: unknown) => e);
    expect((error as StanchionUnavailableError).failingOver).toBe(false);
    const s3 = toS3Error(error);
    expect(s3.message).toMatch(/\(stanchion\) is unreachable or busy/);
    expect(s3.message).not.toMatch(/a:1|ECONNREFUSED|reduce your request rate/);
  });

  it('never retries what waiting cannot fix: a request the cluster key did not sign', async () => {
    const fake = fakeInternal(() => ({ status: 401, body: { error: 'bad signature' } }));
    const error = await httpClient(fake)
      .execute(command)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StanchionUnavailableError);
    expect((error as Error).message).toContain('HTTP 401: bad signature');
    expect(fake.sent).toHaveLength(2);
    expect(fake.clock.nowMs).toBe(0);
  });
});
