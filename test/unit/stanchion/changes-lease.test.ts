/**
 * StanchionServer.changesSince: the active stanchion names what each answered command
 * changed, and answers only within its lease (half of failoverAfterMs from its last beat),
 * so a leader that was paused past it cannot report a position a new leader has moved on.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainBox, sealUser } from '../../../stanchion/secret-box.js';
import { StanchionServer, StanchionUnavailableError } from '../../../stanchion/server.js';
import { newUser } from '../../../stanchion/users.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function openServer(monotonic: { nowMs: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-changes-'));
  const server = await StanchionServer.open({
    dir,
    ring: memoryRing(),
    selfId: 's1',
    address: 'in-process',
    strict: { pr: 1, pw: 1 },
    settleMs: 1,
    beatIntervalMs: 60_000, // no renewal during the test: the clock below decides
    failoverAfterMs: 4000,
    monotonicMs: () => monotonic.nowMs,
  });
  cleanups.push(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return server;
}

describe('stanchion: changes since a position (lease 2 s of 4 s failover)', () => {
  it('names the key of an answered command, then none', async () => {
    const server = await openServer({ nowMs: 0 });
    const first = server.changesSince({ epoch: 0, seq: -1 });
    expect('reset' in first).toBe(true);
    const world = { randomBytes, clock: () => 0 };
    const user = sealUser(plainBox(), newUser(world, 'a@x.io', 'a', false));
    expect((await server.execute({ type: 'create-user', user })).ok).toBe(true);
    const after = server.changesSince(first.position);
    expect(after.position.seq).toBe(first.position.seq + 1);
    expect('changed' in after && after.changed.keyIds).toEqual([user.keyId]);
    const quiet = server.changesSince(after.position);
    expect('changed' in quiet && quiet.changed).toEqual({ keyIds: [], userIds: [], buckets: [] });
  });

  it('refuses to answer once its lease has run out', async () => {
    const clock = { nowMs: 0 };
    const server = await openServer(clock);
    expect(() => server.changesSince({ epoch: 0, seq: -1 })).not.toThrow();
    clock.nowMs = 1999;
    expect(() => server.changesSince({ epoch: 0, seq: -1 })).not.toThrow();
    clock.nowMs = 2000;
    expect(() => server.changesSince({ epoch: 0, seq: -1 })).toThrow(StanchionUnavailableError);
  });
});
