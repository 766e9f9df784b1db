/**
 * The storage node's share of a 4 KiB PUT and GET, without HTTP or S3 around it: what a
 * storage-layer change does to CPU per operation, measured in one process so that a shared
 * machine's scheduling noise weighs less than in the whole bench. A PUT is what the embedded
 * store's node does for one today: the block item (raw put), the manifest's read by the
 * client, then the coordinated versioned write; a GET reads the manifest and the block.
 * CPU is the process's (every thread: LevelDB's and libuv's included) per operation.
 * Run: node dist/bench/storage-path.js [--ops N] [--concurrency C] [--rounds R]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { contextOf } from '../ring/core/dvv.js';
import { ItemStore, type ItemAddress } from '../ring/node/item-store.js';
import { VersionedItems } from '../ring/node/versioned-item.js';
import { openLevelBackend } from '../ring/storage/leveldb-backend.js';

interface Setup {
  store: ItemStore;
  versioned: VersionedItems;
  close: () => Promise<void>;
}

async function open(dir: string, sync: boolean): Promise<Setup> {
  const kv = await openLevelBackend(join(dir, 'leveldb'));
  const store = new ItemStore(kv, join(dir, 'blobs'), { sync });
  return { store, versioned: new VersionedItems(store, 'bench'), close: () => kv.close() };
}

const address = (keyspace: string, pk: string, sk: string): ItemAddress => ({
  partition: pk.length % 64,
  keyspace,
  pk: Buffer.from(pk),
  sk: Buffer.from(sk),
});
const BLOCK = Buffer.alloc(4096, 7);
const MANIFEST = Buffer.alloc(600, 1);

async function putOne(s: Setup, i: number): Promise<void> {
  await s.store.put(address('blocks', `v${i}`, '0'), BLOCK);
  const manifest = address('manifests', 'bucket', `key-${i}`);
  const context = contextOf(await s.versioned.read(manifest));
  await s.versioned.coordinate(manifest, MANIFEST, context);
}

async function getOne(s: Setup, i: number): Promise<void> {
  const state = await s.versioned.read(address('manifests', 'bucket', `key-${i}`));
  if (state.siblings.length !== 1) throw new Error(`manifest ${i} missing`);
  const block = await s.store.get(address('blocks', `v${i}`, '0'));
  if (block?.length !== BLOCK.length) throw new Error(`block ${i} missing`);
}

/** Runs `op` over 0..ops-1 with `concurrency` workers; returns CPU µs per op and ops/s. */
async function measure(ops: number, concurrency: number, op: (i: number) => Promise<void>) {
  let next = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < ops) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { cpuUsPerOp: (used.user + used.system) / ops, opsPerS: ops / elapsedS };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '4000' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      'no-sync': { type: 'boolean', default: false },
    },
  });
  const ops = Number(values.ops);
  const concurrency = Number(values.concurrency);
  for (let round = 1; round <= Number(values.rounds); round++) {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-storage-bench-'));
    const setup = await open(dir, !values['no-sync']);
    try {
      const put = await measure(ops, concurrency, (i) => putOne(setup, i));
      const commits = { ...setup.store.commitStats };
      const get = await measure(ops, concurrency, (i) => getOne(setup, i));
      const fmt = (m: { cpuUsPerOp: number; opsPerS: number }) =>
        `${m.cpuUsPerOp.toFixed(1)} us CPU/op, ${Math.round(m.opsPerS)} ops/s`;
      const perBatch = (commits.writes / Math.max(commits.batches, 1)).toFixed(1);
      console.log(
        `round ${round} c${concurrency}: put ${fmt(put)}; get ${fmt(get)}; ` +
          `${commits.batches} commits, ${perBatch} writes each`,
      );
      console.log(JSON.stringify({ round, put, get, commits }));
    } finally {
      await setup.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

await main();
