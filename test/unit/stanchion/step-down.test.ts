/**
 * A clean stop of the active stanchion (SIGTERM) hands the role over: its leader record is
 * marked released, so a standby claims at once instead of after failoverAfterMs of silence.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RingClient } from '../../../ring/client.js';
import { observeLeader, type LeaderRecord } from '../../../stanchion/core/leadership.js';
import { StanchionServer } from '../../../stanchion/server.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A stanchion on `ring` whose failover takes far longer than the test may wait. */
async function openServer(ring: RingClient, selfId: string) {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-step-down-'));
  const server = await StanchionServer.open({
    dir,
    ring,
    selfId,
    address: `${selfId}:1`,
    strict: { pr: 1, pw: 1 },
    settleMs: 1,
    beatIntervalMs: 50,
    pollIntervalMs: 20,
    failoverAfterMs: 60_000,
  });
  cleanups.push(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return server;
}

describe('stanchion: the active one steps down on close', () => {
  it('a standby claims a released record at once', () => {
    const released: LeaderRecord = {
      ...{ epoch: 3, holderId: 'other', address: 'other:1', beat: 9, committedSeq: 4 },
      released: true,
    };
    const seen = observeLeader({ sinceMs: 0 }, released, 'me', 1, 60_000);
    expect(seen.action).toBe('claim');
    const { released: _, ...beating } = released;
    expect(observeLeader({ sinceMs: 0 }, beating, 'me', 1, 60_000).action).toBe('follow');
  });

  it('hands over to the standby well before failoverAfterMs', async () => {
    const ring = memoryRing();
    const first = await openServer(ring, 's1');
    expect(first.currentRole).toBe('active');
    const second = await openServer(ring, 's2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.currentRole).toBe('standby');
    const closedMs = Date.now();
    await first.close();
    while (second.currentRole !== 'active' && Date.now() - closedMs < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(second.currentRole).toBe('active');
    expect(Date.now() - closedMs).toBeLessThan(5_000);
  });
});
