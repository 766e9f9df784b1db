/**
 * A standby that adopts the ring's snapshot after a gap, as a seeded simulation on virtual
 * time (the world's pieces are stanchion-world.ts's): two stanchions over one in-memory
 * ring; the standby is paused while the active one commits many commands in bursts (group
 * commits of 1 to 6) and snapshots, trimming the ring log below each snapshot less a short
 * tail, so the standby's next entry is gone when it resumes. Checked: it adopts a snapshot,
 * catches up, its state (snapshot plus local log) is the active one's, no acknowledged
 * command is lost, and after the active one dies it takes over and serves with all of it.
 * STANCHION_SNAPSHOT_SIM_SEED=n replays one seed.
 */
import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../ring/core/scheduler.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import { InProcessTransport } from '../../ring/transport/transport.js';
import type { Command, CommandResult } from '../../stanchion/core/commands.js';
import { applyEntry, type StanchionState } from '../../stanchion/core/decide.js';
import { encodeSnapshot, parseSnapshot, stateOf } from '../../stanchion/core/snapshot.js';
import { emptyState } from '../../stanchion/core/decide.js';
import { plainBox, sealUser } from '../../stanchion/secret-box.js';
import { StanchionServer } from '../../stanchion/server.js';
import { newUser } from '../../stanchion/users.js';
import { simSeeds } from './sim-seeds.js';
import { seededRandom } from './sim-transport.js';
import { Gate, MemoryLog, ringClient, type Env } from './stanchion-world.js';
import { memoryItemStore } from '../helpers/scratch-dir.js';

const SEEDS = simSeeds('STANCHION_SNAPSHOT_SIM_SEED', 6, (i) => i + 1);
const POLICY = { everyEntries: 8, tailEntries: 3, everyBytes: 1 << 30 };

interface World {
  logs: MemoryLog[];
  gates: Gate[];
  servers: StanchionServer[];
}

async function startWorld(env: Env, seed: number): Promise<World> {
  const store = memoryItemStore(`stanchion-snap-sim-${seed}`, queueMicrotask);
  const shared = new InProcessTransport();
  shared.register('n1', storageNodeHandler(store, 8));
  const world: World = { logs: [], gates: [], servers: [] };
  for (let i = 0; i < 2; i++) {
    const log = new MemoryLog();
    const gate = new Gate(`s${i}`, shared, env);
    world.logs.push(log);
    world.gates.push(gate);
    const server = await StanchionServer.open({
      ...{ dir: `s${i}`, openLog: async () => log, scheduler: env.sched },
      ...{ ring: ringClient(gate), selfId: `s${i}`, address: `s${i}` },
      ...{ strict: { pr: 1, pw: 1 }, beatIntervalMs: 20, pollIntervalMs: 20 },
      ...{ failoverAfterMs: 150, settleMs: 20, snapshot: POLICY },
    });
    world.servers.push(server);
  }
  return world;
}

async function until(env: Env, what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) return;
    await env.sched.sleep(20);
  }
  throw new Error(`never: ${what}`);
}

/** A stanchion's state as its local log holds it: the snapshot, then the entries after. */
async function stateOfLog(log: MemoryLog): Promise<StanchionState> {
  const state = log.snapshot ? stateOf(parseSnapshot(log.snapshot.text)) : emptyState();
  for await (const entry of log.replay(state.appliedSeq)) applyEntry(state, entry);
  return state;
}

/** The `i`th command of the load: buckets made, changed and deleted; users updated. */
function command(i: number, random: () => number, owners: string[][]): Command {
  const [ownerId, keyId] = owners[Math.floor(random() * owners.length)]!;
  const name = `b-${Math.floor(random() * 5)}`;
  const id = `c-${i}`;
  const roll = random();
  if (roll < 0.4) {
    const bucket = { name, id: `id-${i}`, ownerId: ownerId!, createdAtMs: i };
    return { id, type: 'create-bucket', bucket };
  }
  if (roll < 0.6) return { id, type: 'update-user', keyId: keyId!, changes: { name: `n${i}` } };
  if (roll < 0.8) return { id, type: 'delete-bucket', name, requesterId: ownerId!, isEmpty: true };
  return { id, type: 'set-bucket-versioning', name, bucketId: `id-${i - 1}`, status: 'Enabled' };
}

async function owners(env: Env, active: StanchionServer): Promise<string[][]> {
  const ids: string[][] = [];
  for (const email of ['a@x.io', 'b@x.io']) {
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => env.random() * 256));
    const user = sealUser(
      plainBox(),
      newUser({ randomBytes: bytes, clock: () => 0 }, email, email, false),
    );
    expect((await active.execute({ type: 'create-user', user })).ok).toBe(true);
    ids.push([user.id, user.keyId]);
  }
  return ids;
}

/** Sends `count` commands to `active` in bursts of 1 to 6; the answers by command id. */
async function load(env: Env, active: StanchionServer, count: number, ids: string[][]) {
  const answers = new Map<string, CommandResult>();
  for (let i = 0; i < count;) {
    const burst = 1 + Math.floor(env.random() * 6);
    const sent = Array.from({ length: Math.min(burst, count - i) }, () => {
      const c = command(i++, env.random, ids);
      return active.execute(c).then((r) => void answers.set(c.id!, r));
    });
    await Promise.all(sent);
    await env.sched.sleep(Math.floor(env.random() * 10));
  }
  return answers;
}

async function runSeed(env: Env, seed: number) {
  const world = await startWorld(env, seed);
  try {
    const [active, standby] = await roles(env, world);
    const ids = await owners(env, active);
    await until(env, 'standby follows', () => standby.status().appliedSeq === 2);
    world.gates[world.servers.indexOf(standby)]!.closed = true;
    const answers = await load(env, active, 40 + Math.floor(env.random() * 30), ids);
    await until(env, 'active snapshots', () => active.status().logTail < POLICY.everyEntries);
    // The gap: entries after the standby's are trimmed from the ring log.
    expect(active.status().snapshotSeq - POLICY.tailEntries).toBeGreaterThan(2);
    world.gates[world.servers.indexOf(standby)]!.open();
    const target = active.status().appliedSeq;
    await until(env, 'standby catches up', () => standby.status().appliedSeq >= target);
    expect(standby.status().snapshotSeq, 'the standby adopted a snapshot').toBeGreaterThan(2);
    const logs = world.servers.map((s) => world.logs[world.servers.indexOf(s)]!);
    const [mine, theirs] = await Promise.all(logs.map(stateOfLog));
    expect(encodeSnapshot(theirs!)).toEqual(encodeSnapshot(mine!));
    // Refusals change nothing and are not logged; every acknowledged change is there.
    const acked = [...answers].filter(([, result]) => result.ok);
    for (const [id, result] of acked) expect(theirs!.results.get(id), id).toEqual(result);
    // The active one dies; the standby takes over with everything acknowledged: a resent
    // command gets its first answer, not a second application.
    world.gates[world.servers.indexOf(active)]!.closed = true;
    await until(env, 'takeover', () => standby.currentRole === 'active');
    const [firstId, firstResult] = acked[0]!;
    const resent = { id: firstId, type: 'update-user', keyId: 'x', changes: {} } as const;
    expect(await standby.execute(resent)).toEqual(firstResult);
    return { answered: answers.size, snapshotSeq: standby.status().snapshotSeq };
  } finally {
    for (const gate of world.gates) gate.open();
    for (const server of world.servers) await server.close().catch(() => undefined);
  }
}

async function roles(env: Env, world: World): Promise<[StanchionServer, StanchionServer]> {
  await until(env, 'one active', () => world.servers.some((s) => s.currentRole === 'active'));
  const active = world.servers.find((s) => s.currentRole === 'active')!;
  return [active, world.servers.find((s) => s !== active)!];
}

describe('stanchion standby adopting a snapshot after a gap (seeded, virtual time)', () => {
  for (const seed of SEEDS) {
    it(`adopts, matches the active one and loses nothing (seed ${seed})`, async () => {
      const trace: string[] = [];
      const sched = new VirtualScheduler({ onFire: () => undefined });
      const note = (line: string) => void trace.push(`${sched.now()} ${line}`);
      const env: Env = { random: seededRandom(seed), sched, trace, note };
      const replay = `(replay with STANCHION_SNAPSHOT_SIM_SEED=${seed})`;
      try {
        const run = await sched.runUntil(runSeed(env, seed));
        process.stdout.write(
          `stanchion snapshot sim seed ${seed}: ${run.answered} commands answered, ` +
            `standby's snapshot at ${run.snapshotSeq} ${replay}\n`,
        );
      } catch (error) {
        process.stdout.write(`stanchion snapshot sim seed ${seed} failed ${replay}\n`);
        throw error;
      }
    }, 60_000);
  }
});
