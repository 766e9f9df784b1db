/**
 * A stanchion snapshotting its log (snapshotter.ts) over an in-memory ring: the local and
 * ring logs are trimmed below the snapshot, a restart loads it and replays the tail, a
 * standby that lagged past the kept tail adopts the ring's copy and can take over. Faults
 * are injected at each step (local trim, ring chunks, ring head, ring trim): a crash there
 * loses nothing, and a restarted or new stanchion rebuilds the same state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RingClient } from '../../../ring/client.js';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { CommandLog } from '../../../stanchion/command-log.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import { storedSecret } from '../../../stanchion/secret-box.js';
import { StanchionServer, type LocalLog } from '../../../stanchion/server.js';
import { memoryRing } from '../../helpers/memory-ring.js';

const POLICY = { everyEntries: 10, everyBytes: 1 << 30, tailEntries: 3 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function user(n: number): UserRecord {
  return {
    id: `u${n}`,
    keyId: `KEY${String(n).padStart(8, '0')}`,
    secret: storedSecret('sealed:v1:abcd:x'),
    email: `u${n}@x.io`,
    name: `u${n}`,
    displayName: `u${n}`,
    status: 'enabled',
    isAdmin: false,
    createdAtMs: 0,
  };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snapsrv-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Open {
  dir: string;
  ring: RingClient;
  selfId: string;
  openLog?: (dir: string) => Promise<LocalLog>;
  lines?: string[];
}

async function open(o: Open): Promise<StanchionServer> {
  const server = await StanchionServer.open({
    dir: o.dir,
    ring: o.ring,
    selfId: o.selfId,
    address: o.selfId,
    strict: { pr: 1, pw: 1 },
    settleMs: 1,
    beatIntervalMs: 20,
    pollIntervalMs: 20,
    // Generous: a machine under heavy load must not make the standby take over early.
    failoverAfterMs: 2000,
    snapshot: POLICY,
    ...(o.openLog ? { openLog: o.openLog } : {}),
    log: (line) => o.lines?.push(line),
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await server.close();
  });
  const close = server.close.bind(server);
  server.close = async () => {
    closed = true;
    await close();
  };
  return server;
}

async function createUsers(server: StanchionServer, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) {
    const result = await server.execute({ id: `c${n}`, type: 'create-user', user: user(n) });
    expect(result.ok).toBe(true);
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function localSeqs(dir: string): Promise<number[]> {
  const log = await CommandLog.open(dir);
  const seqs: number[] = [];
  for await (const entry of log.replay()) seqs.push(entry.seq);
  await log.close();
  return seqs;
}

async function ringSeqs(ring: RingClient): Promise<number[]> {
  const items = await ring.scan(KEYSPACES.stanchionLog, 'log', { limit: 10_000 });
  return items.map((item) => Number(item.sk.readBigUInt64BE(0)));
}

describe('stanchion snapshots (every 10 entries, tail of 3)', () => {
  it('trims both logs below the snapshot and restarts from it plus the tail', async () => {
    const [dir, ring] = [await tempDir(), memoryRing()];
    let server = await open({ dir, ring, selfId: 's1' });
    await createUsers(server, 1, 25);
    // The first snapshot is at 10 or later, so one at 15 or later follows by 25.
    // ... and none is due after it (one at 15 is followed by one at 25).
    const settled = () => server.status().snapshotSeq >= 15 && server.status().logTail < 10;
    await until('a snapshot at 15 or later, and none due', settled);
    const seq = server.status().snapshotSeq;
    const kept = Array.from({ length: 25 - seq + 3 }, (_, i) => seq - 2 + i);
    await until('the ring log trimmed', async () => (await ringSeqs(ring))[0] === seq - 2);
    expect(server.status()).toMatchObject({ appliedSeq: 25, logTail: 25 - seq });
    expect(await ringSeqs(ring)).toEqual(kept);
    await server.close();
    expect(await localSeqs(dir)).toEqual(kept);
    server = await open({ dir, ring, selfId: 's1' });
    expect(server.status()).toMatchObject({ appliedSeq: 25, snapshotSeq: seq, users: 25 });
    // A retried command id still gets its first answer from the snapshot.
    const retry = await server.execute({ id: 'c3', type: 'create-user', user: user(3) });
    expect(retry).toMatchObject({ ok: true, user: { id: 'u3' } });
    expect(server.status().appliedSeq).toBe(25);
  });

  it('a standby that lagged past the tail adopts the ring snapshot, then takes over', async () => {
    const ring = memoryRing();
    const active = await open({ dir: await tempDir(), ring, selfId: 's1' });
    await createUsers(active, 1, 24);
    // The first is at 10 or later; if before 15, a second follows by 24.
    await until('a snapshot at 15 or later', () => active.status().snapshotSeq >= 15);
    const lines: string[] = [];
    const standby = await open({ dir: await tempDir(), ring, selfId: 's2', lines });
    await until('the standby caught up', () => standby.status().appliedSeq === 24);
    expect(lines.join('\n')).toMatch(/adopted the ring's snapshot at (1\d|2\d)\b/);
    expect(standby.status()).toMatchObject({ role: 'standby', users: 24 });
    await active.close();
    await until('the standby took over', () => standby.currentRole === 'active');
    await createUsers(standby, 25, 26);
    const dup = await standby.execute({ type: 'create-user', user: { ...user(99), id: 'u1' } });
    expect(dup).toMatchObject({ ok: false, code: 'UserAlreadyExists' });
    expect(standby.status()).toMatchObject({ appliedSeq: 26, users: 26 });
  });
});

/** A local log whose trim fails: before deleting anything, or half-way. */
function faultyLog(mode: 'before' | 'half'): (dir: string) => Promise<LocalLog> {
  return async (dir) => {
    const log = await CommandLog.open(dir);
    return {
      put: (entry) => log.put(entry),
      replay: (after) => log.replay(after),
      close: () => log.close(),
      loadSnapshot: () => log.loadSnapshot(),
      saveSnapshot: (head, chunks) => log.saveSnapshot(head, chunks),
      async trimThrough(seq) {
        if (mode === 'half') await log.trimThrough(Math.floor(seq / 2));
        throw new Error('injected crash in the local trim');
      },
    };
  };
}

/** The ring, failing the `nth` write (put, putVersioned, delete) to `keyspace` once. */
function faultyRing(ring: RingClient, keyspace: string, nth: number): RingClient {
  const count = { writes: 0 };
  const wrap = (inner: RingClient): RingClient =>
    new Proxy(inner, {
      get(target, prop) {
        if (prop === 'withQuorum') {
          return (q: Parameters<RingClient['withQuorum']>[0]) => wrap(target.withQuorum(q));
        }
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const write = prop === 'put' || prop === 'putVersioned' || prop === 'delete';
          // Appends to the log are writes too: only its trim (deletes) counts there.
          const counted = write && args[0] === keyspace;
          const logAppend = keyspace === KEYSPACES.stanchionLog && prop !== 'delete';
          if (counted && !logAppend && ++count.writes === nth) {
            return Promise.reject(new Error(`injected crash at ${keyspace} write ${nth}`));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return wrap(ring);
}

const FAULTS: Array<{ name: string; log?: 'before' | 'half'; ring?: [string, number] }> = [
  { name: 'after the local snapshot, before any trim', log: 'before' },
  { name: 'half-way through the local trim', log: 'half' },
  { name: 'before the ring chunk', ring: [KEYSPACES.stanchionSnapshot, 2] },
  { name: 'before the ring head', ring: [KEYSPACES.stanchionSnapshot, 3] },
  { name: 'half-way through the ring trim', ring: [KEYSPACES.stanchionLog, 4] },
];

describe('stanchion snapshots: a crash at each step loses nothing', () => {
  for (const fault of FAULTS) {
    it(`crash ${fault.name}`, async () => {
      const [dir, ring] = [await tempDir(), memoryRing()];
      const lines: string[] = [];
      const faulty = fault.ring ? faultyRing(ring, ...fault.ring) : ring;
      const openLog = fault.log ? faultyLog(fault.log) : undefined;
      let server = await open({ dir, ring: faulty, selfId: 's1', lines, ...{ openLog } });
      await createUsers(server, 1, 14);
      await until('the injected crash', () => lines.some((l) => l.includes('injected crash')));
      await server.close(); // the crash: nothing more of that snapshot is done
      server = await open({ dir, ring, selfId: 's1' });
      expect(server.status()).toMatchObject({ appliedSeq: 14, users: 14 });
      await createUsers(server, 15, 27);
      await until('a later snapshot', () => server.status().snapshotSeq >= 20);
      await until('the ring log trimmed', async () => !(await ringSeqs(ring)).includes(1));
      // A new stanchion rebuilds everything from what the ring holds.
      const fresh = await open({ dir: await tempDir(), ring, selfId: 's2' });
      await until('the new one caught up', () => fresh.status().appliedSeq === 27);
      expect(fresh.status().users).toBe(27);
      await server.close();
      expect(await localSeqs(dir)).not.toContain(1);
    });
  }
});
