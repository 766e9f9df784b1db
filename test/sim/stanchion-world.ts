/**
 * The world of the stanchion failover simulation (stanchion-sim.test.ts, replay.test.ts),
 * on virtual time: three stanchions share one in-memory ring; each reaches it through a
 * gate that a seeded schedule closes (a paused process: its calls wait, then arrive late,
 * as after SIGSTOP/SIGCONT) and opens again, while clients send CreateBucket commands for a
 * small pool of names to random stanchions. Local logs are in memory and ids come from the
 * seed, so a run — beats, polls, claims, every ring call — is a pure function of its seed.
 * Checked: no two acknowledged creates of one name; every acknowledged create is in the
 * final leader's state with its owner; every pair of local logs agrees entry by entry; and
 * once healed exactly one stanchion is active.
 */
import { expect } from 'vitest';
import { RingClient } from '../../ring/client.js';
import { singleNodeRing } from '../../ring/core/ring.js';
import { VirtualScheduler } from '../../ring/core/scheduler.js';
import { storageNodeHandler } from '../../ring/node/storage-node.js';
import type { NodeRequest } from '../../ring/transport/messages.js';
import { InProcessTransport, type Transport } from '../../ring/transport/transport.js';
import { RING_RESOLVERS } from '../../src/ring-resolvers.js';
import type { Command, CommandResult, LogEntry } from '../../stanchion/core/commands.js';
import type { SnapshotHead } from '../../stanchion/core/snapshot.js';
import type { StoredSnapshot } from '../../stanchion/command-log.js';
import { plainBox, sealUser } from '../../stanchion/secret-box.js';
import { StanchionServer, type LocalLog } from '../../stanchion/server.js';
import { newUser } from '../../stanchion/users.js';
import { seededRandom } from './sim-transport.js';
import { memoryItemStore } from '../helpers/scratch-dir.js';

const STEPS = 80;
const NAMES = Array.from({ length: 12 }, (_, i) => `bucket-${i}`);
/** Attempts of one command, as a front end retries it through a takeover. */
const RETRIES_MAX = 4;

/** A process's way to the ring: closed = paused; calls wait at the gate, then go through. */
export class Gate implements Transport {
  closed = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly name: string,
    private readonly inner: Transport,
    private readonly env: Env,
  ) {}

  async call(nodeId: string, request: NodeRequest, options: { timeoutMs: number }) {
    await this.pass();
    await this.env.sched.sleep(Math.floor(this.env.random() * 3), { label: 'net' });
    const reply = await this.inner.call(nodeId, request, options);
    await this.pass();
    this.env.note(`${this.name} ${request.op} ${reply.ok ? 'ok' : 'error'}`);
    return reply;
  }

  open(): void {
    this.closed = false;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private pass(): Promise<void> {
    if (!this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** A stanchion's local log, in memory: entries kept as the JSON CommandLog would store. */
export class MemoryLog implements LocalLog {
  readonly entries = new Map<number, string>();
  snapshot: StoredSnapshot | undefined;

  async put(entry: LogEntry): Promise<void> {
    this.entries.set(entry.seq, JSON.stringify(entry));
  }

  async *replay(afterSeq = 0): AsyncGenerator<LogEntry> {
    const seqs = [...this.entries.keys()].filter((s) => s > afterSeq).sort((a, b) => a - b);
    for (const seq of seqs) yield JSON.parse(this.entries.get(seq)!) as LogEntry;
  }

  async loadSnapshot(): Promise<StoredSnapshot | undefined> {
    return this.snapshot;
  }

  async saveSnapshot(head: SnapshotHead, chunks: readonly Buffer[]): Promise<void> {
    this.snapshot = { head, text: Buffer.concat(chunks).toString('utf8') };
  }

  async trimThrough(seq: number): Promise<number> {
    const doomed = [...this.entries.keys()].filter((s) => s <= seq);
    for (const s of doomed) this.entries.delete(s);
    return doomed.length;
  }

  async close(): Promise<void> {}
}

/** The seed's randomness, the virtual clock and the trace. */
export interface Env {
  random: () => number;
  sched: VirtualScheduler;
  trace: string[];
  note(line: string): void;
}

export function ringClient(transport: Transport): RingClient {
  const ring = singleNodeRing('n1', 8);
  return new RingClient({
    resolvers: RING_RESOLVERS,
    ring: () => ring,
    upNodes: () => new Set(['n1']),
    transport,
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 60_000,
  });
}

interface World {
  logs: MemoryLog[];
  gates: Gate[];
  servers: StanchionServer[];
}

async function startWorld(env: Env, seed: number): Promise<World> {
  const store = memoryItemStore(`stanchion-sim-${seed}`, queueMicrotask);
  const shared = new InProcessTransport();
  shared.register('n1', storageNodeHandler(store, 8));
  const world: World = { logs: [], gates: [], servers: [] };
  for (let i = 0; i < 3; i++) {
    const log = new MemoryLog();
    const gate = new Gate(`s${i}`, shared, env);
    world.logs.push(log);
    world.gates.push(gate);
    const server = await StanchionServer.open({
      dir: `s${i}`,
      openLog: async () => log,
      scheduler: env.sched,
      ring: ringClient(gate),
      selfId: `s${i}`,
      address: `s${i}`,
      strict: { pr: 1, pw: 1 },
      beatIntervalMs: 20,
      pollIntervalMs: 20,
      failoverAfterMs: 150,
      settleMs: 20,
    });
    world.servers.push(server);
  }
  return world;
}

async function activeServer(world: World, env: Env, seed: number): Promise<StanchionServer> {
  for (let i = 0; i < 200; i++) {
    const active = world.servers.filter((s) => s.currentRole === 'active');
    if (active.length === 1) return active[0]!;
    await env.sched.sleep(20);
  }
  throw new Error(`seed ${seed}: no single active stanchion after healing`);
}

function seededBytes(random: () => number) {
  return (count: number) => Buffer.from(Array.from({ length: count }, () => random() * 256));
}

async function createOwners(world: World, env: Env, seed: number): Promise<string[]> {
  const leader = await activeServer(world, env, seed);
  const ids: string[] = [];
  for (const email of ['a@x.io', 'b@x.io']) {
    const userWorld = { randomBytes: seededBytes(env.random), clock: () => 0 };
    const user = sealUser(plainBox(), newUser(userWorld, email, email, false));
    const result = await leader.execute({ type: 'create-user', user });
    expect(result.ok, `seed ${seed}: owner ${email}`).toBe(true);
    ids.push(user.id);
  }
  return ids;
}

/** Sends STEPS creates to random stanchions while pausing and resuming them. */
async function workload(world: World, env: Env, owners: string[]) {
  const { random } = env;
  const acked = new Map<string, string>();
  const doubles: string[] = [];
  const answers = new Map<string, boolean>();
  const inFlight: Array<Promise<void>> = [];
  for (let step = 0; step < STEPS; step++) {
    if (step === STEPS / 2) await pauseActive(world, env);
    const roll = random();
    // Half the pauses hit the active one: that is where failover and fencing happen.
    const activeIndex = world.servers.findIndex((s) => s.currentRole === 'active');
    const target = random() < 0.5 && activeIndex >= 0 ? activeIndex : Math.floor(random() * 3);
    if (roll < 0.12) world.gates[target]!.closed = true;
    else if (roll < 0.3) world.gates[target]!.open();
    const server = world.servers[Math.floor(random() * 3)]!;
    const name = NAMES[Math.floor(random() * NAMES.length)]!;
    const ownerId = owners[Math.floor(random() * 2)]!;
    const bucket = { name, id: `bucket-id-${step}`, ownerId, createdAtMs: step };
    const command = { id: `command-${step}`, type: 'create-bucket', bucket } as const;
    const sent = sendWithRetries(world, env, command, server);
    const record = (result: CommandResult) => {
      answers.set(command.id, result.ok);
      env.note(`create ${step} ${name} ${result.ok ? 'ok' : 'refused'}`);
      if (!result.ok) return;
      if (acked.has(name)) doubles.push(`${name} to ${acked.get(name)} and ${ownerId}`);
      acked.set(name, ownerId);
    };
    inFlight.push(sent.then(record, () => env.note(`create ${step} ${name} unavailable`)));
    await env.sched.sleep(Math.floor(random() * 15));
  }
  for (const gate of world.gates) gate.open();
  await Promise.all(inFlight);
  return { acked, doubles, answers };
}

/**
 * As a front end does (stanchion/client.ts): an attempt that fails is sent again, same id,
 * to a random stanchion, a few times; the first attempt may have committed before it failed.
 */
async function sendWithRetries(
  world: World,
  env: Env,
  command: Command,
  first: StanchionServer,
): Promise<CommandResult> {
  let server = first;
  for (let attempt = 1; ; attempt++) {
    try {
      return await server.execute(command);
    } catch (error) {
      if (attempt >= RETRIES_MAX) throw error;
      env.note(`retry ${command.id ?? ''} (attempt ${attempt + 1})`);
      await env.sched.sleep(50 + Math.floor(env.random() * 100));
      server = world.servers[Math.floor(env.random() * 3)]!;
    }
  }
}

/** One certain failover per seed: the active one paused well past failoverAfterMs. */
async function pauseActive(world: World, env: Env): Promise<void> {
  const index = world.servers.findIndex((s) => s.currentRole === 'active');
  if (index < 0) return;
  world.gates.forEach((gate, i) => (i === index ? (gate.closed = true) : gate.open()));
  await env.sched.sleep(400);
}

/** Every local log agrees with the longest entry by entry; returns the longest. */
async function checkLogs(world: World, seed: number): Promise<LogEntry[]> {
  const logs: LogEntry[][] = [];
  for (const log of world.logs) {
    const entries: LogEntry[] = [];
    for await (const entry of log.replay()) entries.push(entry);
    logs.push(entries);
  }
  const longest = logs.reduce((a, b) => (b.length > a.length ? b : a));
  for (const log of logs) {
    for (const entry of log) {
      expect(entry, `seed ${seed}: logs disagree at ${entry.seq}`).toEqual(longest[entry.seq - 1]);
    }
  }
  return longest;
}

/** What one run did. */
export interface StanchionRun {
  epoch: number;
  acknowledged: number;
  appliedSeq: number;
  virtualMs: number;
  trace: string[];
}

async function runWorld(env: Env, seed: number): Promise<Omit<StanchionRun, 'trace'>> {
  const world = await startWorld(env, seed);
  try {
    const owners = await createOwners(world, env, seed);
    const { acked, doubles, answers } = await workload(world, env, owners);
    expect(doubles, `seed ${seed}: a name acknowledged twice`).toEqual([]);
    const leader = await activeServer(world, env, seed);
    await env.sched.sleep(200);
    expect(world.servers.filter((s) => s.currentRole === 'active')).toHaveLength(1);
    const { epoch, appliedSeq } = leader.status();
    for (const server of world.servers) await server.close();
    const owned = new Map<string, string>();
    for (const entry of await checkLogs(world, seed)) {
      // A command answered after retries gets the answer its logged entry holds, never a
      // refusal of what its own earlier attempt committed.
      const answer = entry.commandId === undefined ? undefined : answers.get(entry.commandId);
      if (answer !== undefined) {
        expect(answer, `seed ${seed}: ${entry.commandId} answered unlike its entry`).toBe(
          entry.result.ok,
        );
      }
      for (const event of entry.events) {
        if (event.type === 'bucket-created') owned.set(event.bucket.name, event.bucket.ownerId);
      }
    }
    for (const [name, ownerId] of acked) {
      expect(owned.get(name), `seed ${seed}: acknowledged ${name} lost`).toBe(ownerId);
    }
    return { epoch, acknowledged: acked.size, appliedSeq, virtualMs: env.sched.now() };
  } finally {
    for (const gate of world.gates) gate.open();
    for (const server of world.servers) await server.close().catch(() => undefined);
  }
}

/** Runs one seed on virtual time; every check failing throws. */
export async function runStanchionSeed(seed: number): Promise<StanchionRun> {
  const trace: string[] = [];
  const sched = new VirtualScheduler({
    onFire: (f) => trace.push(`${f.atMs} fire ${f.label}#${f.seq}`),
  });
  const env: Env = {
    random: seededRandom(seed),
    sched,
    trace,
    note: (line) => trace.push(`${sched.now()} ${line}`),
  };
  const run = await sched.runUntil(runWorld(env, seed));
  return { ...run, trace };
}
