/**
 * The CPU cost of sealing and opening encrypted blocks, in process: 64 blocks of 1 MiB
 * (64 MiB) per case, the cases interleaved for 11 rounds, median and minimum CPU ms (user +
 * system, which drifts far less than wall-clock time on a shared machine). Compares 64 KiB
 * chunks opened into one buffer per block (the GET path before) with chunks handed on as
 * they are, and 1 MiB chunks.
 *
 *   npm run build && node dist/bench/sse-open-cpu.js
 */
import { randomBytes } from 'node:crypto';
import { openRange, openRangePieces, sealChunks } from '../src/objects/encryption/chunked-gcm.js';
import { median } from './core/stats.js';

const BLOCK = 1024 * 1024;
const BLOCKS = 64;
const ROUNDS = 11;
const K64 = 64 * 1024;

function main(): void {
  const key = randomBytes(32);
  const plain = randomBytes(BLOCK);
  const run = (chunkBytes: number) => ({
    sealed: sealChunks(key, 0, plain, chunkBytes),
    firstChunk: 0,
    plainBytes: BLOCK,
  });
  const small = run(K64);
  const large = run(BLOCK);
  const cases: Record<string, () => unknown> = {
    'open 64 KiB chunks, one buffer': () => openRange(key, small, 0, BLOCK, K64),
    'open 64 KiB chunks, pieces': () => openRangePieces(key, small, 0, BLOCK, K64),
    'open 1 MiB chunks, pieces': () => openRangePieces(key, large, 0, BLOCK, BLOCK),
    'seal 64 KiB chunks': () => sealChunks(key, 0, plain, K64),
    'seal 1 MiB chunks': () => sealChunks(key, 0, plain, BLOCK),
  };
  const names = Object.keys(cases);
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      const before = process.cpuUsage();
      for (let b = 0; b < BLOCKS; b++) cases[name]!();
      const used = process.cpuUsage(before);
      cpu[name]!.push((used.user + used.system) / 1000);
    }
  }
  console.log('case                            CPU ms per 64 MiB: median   min');
  for (const name of names) {
    const values = cpu[name]!;
    console.log(
      `${name.padEnd(32)} ${median(values).toFixed(1).padStart(22)}` +
        `  ${Math.min(...values)
          .toFixed(1)
          .padStart(5)}`,
    );
  }
}

main();
