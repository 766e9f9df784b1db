/**
 * The replication protocol as a seeded simulation on virtual time: five in-process nodes
 * (n_val=3, r=2, w=2) over a simulated network that delays, drops requests and replies,
 * partitions itself and crashes nodes, while a client runs puts, overwrites and deletes.
 * After every step, no acknowledged write may be lost from the union of the replicas;
 * after the network heals and hints and anti-entropy run, every replica agrees and reads
 * give the last acknowledged value. Each run prints its seed; REPLICATION_SIM_SEED=n replays
 * one seed exactly, CAIRN_SIM_SEEDS=k runs k seeds. The world is in replication-world.ts.
 */
import { describe, expect, it } from 'vitest';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import { buildNode, makeClient, NODES, Q, ring, runSeed, simWorld } from './replication-world.js';
import { seededRandom } from './sim-transport.js';
import { simSeeds } from './sim-seeds.js';

describe('replication simulation (5 nodes, n_val=3, r=2, w=2)', () => {
  const seeds = simSeeds('REPLICATION_SIM_SEED', 60, (i) => 7 + i * 104_729);
  it.each(seeds)(
    'loses no acknowledged write and converges (seed %i, 80 steps)',
    async (seed) => {
      const replay = `(replay with REPLICATION_SIM_SEED=${seed})`;
      try {
        const run = await runSeed(seed, 80);
        process.stdout.write(
          `replication sim seed ${seed}: ${run.acknowledged}/80 acknowledged, ` +
            `${run.messages} messages, ${run.virtualMs} virtual ms ${replay}\n`,
        );
      } catch (error) {
        process.stdout.write(`replication sim seed ${seed} failed ${replay}\n`);
        throw error;
      }
    },
    60_000,
  );
});

describe('pr and pw (5 simulated nodes, n_val=3)', () => {
  it('refuses reads and writes that cannot reach enough primaries, allows the rest', async () => {
    const world = simWorld(seededRandom(1));
    const { net, sched } = world;
    NODES.forEach((id) => buildNode(id, world));
    const client = makeClient(net, 'c1');
    await sched.runUntil(client.put('users', 'pkey', '', Buffer.from('first')));
    const primary = partitionOf(ringIndex('users', 'pkey'), Q);
    net.crashed.add(ring.owners[primary]!);
    const strict = client.withQuorum({ pr: 3, pw: 3 });
    await expect(sched.runUntil(strict.getVersioned('users', 'pkey'))).rejects.toThrow(
      /unavailable/,
    );
    await expect(
      sched.runUntil(strict.put('users', 'pkey', '', Buffer.from('x'))),
    ).rejects.toThrow();
    const relaxed = client.withQuorum({ pr: 2, pw: 2 });
    await sched.runUntil(relaxed.put('users', 'pkey', '', Buffer.from('second')));
    const read = await sched.runUntil(relaxed.getVersioned('users', 'pkey'));
    expect(read.values.map(String)).toEqual(['second']);
    expect(() => client.withQuorum({ pr: 4 })).toThrow(/invalid quorum/);
  });
});
