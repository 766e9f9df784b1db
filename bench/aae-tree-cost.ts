/**
 * `node dist/bench/aae-tree-cost.js`: what keeping anti-entropy trees costs per write on a
 * node built by ring/node/build-node.ts, in process (durability none, 4 KiB block puts
 * through a ring client). A node with a network keeps trees (a read before every write, a
 * hash, a per-key lock); the embedded store, which can never have a peer, does not. The
 * two run in interleaved rounds and the medians are compared. Not a test: it prints.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingClient } from '../ring/client.js';
import { KEYSPACES } from '../ring/keyspaces.js';
import { buildNode, type BuiltNode } from '../ring/node/build-node.js';
import { InternalClient } from '../ring/transport/internal-client.js';

const ROUNDS = 7;
const PUTS = 500;

async function make(trees: boolean): Promise<{ node: BuiltNode; ring: RingClient; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-aae-cost-'));
  const client = new InternalClient({ cookie: 'bench-cookie-of-16-characters' });
  const node = await buildNode({
    nodeId: 'n1',
    dataDir: dir,
    partitionCount: 64,
    durability: 'none',
    nVal: 1,
    handoff: { transferLimit: 2, bytesPerSecondMax: 1e9 },
    gossipIntervalMs: 1000,
    downAfterMs: 3000,
    aaeIntervalMs: 60_000,
    metrics: { processMetrics: false },
    // Built, never started: no peer is ever called, the address is never used.
    ...(trees ? { network: { address: '127.0.0.1:9', client } } : {}),
  });
  const ring = new RingClient({
    ring: () => node.manager.ring,
    upNodes: () => new Set([node.nodeId]),
    transport: { call: (_id, request) => node.handle(request) },
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 10_000,
  });
  return { node, ring, dir };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const variants = { off: await make(false), on: await make(true) };
const cpuUs: Record<'off' | 'on', number[]> = { off: [], on: [] };
const value = Buffer.alloc(4096, 7);
let key = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const name of ['off', 'on'] as const) {
    const before = process.cpuUsage();
    for (let i = 0; i < PUTS; i++) {
      await variants[name].ring.put(KEYSPACES.blocks, `o${key++}`, '0', value);
    }
    const used = process.cpuUsage(before);
    cpuUs[name].push((used.user + used.system) / PUTS);
  }
}
const off = median(cpuUs.off);
const on = median(cpuUs.on);
process.stdout.write(
  `CPU per 4 KiB block put (${ROUNDS} interleaved rounds of ${PUTS}, medians): ` +
    `trees off ${off.toFixed(1)} µs, trees on ${on.toFixed(1)} µs, ` +
    `ratio ${(on / off).toFixed(2)}\n`,
);
for (const { node, dir } of Object.values(variants)) {
  await node.close();
  await rm(dir, { recursive: true, force: true });
}
