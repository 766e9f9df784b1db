/**
 * Replays: a simulation on virtual time is a pure function of its seed. One seed run twice
 * must give the same trace — every delivered or dropped message, every timer firing and
 * every client outcome, each with its virtual timestamp — and another seed a different one
 * (else the comparison could not fail).
 */
import { describe, expect, it } from 'vitest';
import { runHandoffSeed } from './handoff-world.js';
import { runSeed } from './replication-world.js';
import { runStanchionSeed } from './stanchion-world.js';

describe('simulation replay (virtual time)', () => {
  it('replication: same seed, same trace; other seed, other trace (seed 7, 30 steps)', async () => {
    const first = await runSeed(7, 30);
    const again = await runSeed(7, 30);
    const other = await runSeed(8, 30);
    expect(first.trace.length).toBeGreaterThan(1000);
    expect(first.trace.some((line) => / fire /.test(line))).toBe(true);
    expect(first.trace.some((line) => / delivered$/.test(line))).toBe(true);
    expect(again.trace).toEqual(first.trace);
    expect(other.trace).not.toEqual(first.trace);
  }, 60_000);

  it('stanchion: same seed, same trace; other seed, other trace (seed 3)', async () => {
    const first = await runStanchionSeed(3);
    const again = await runStanchionSeed(3);
    const other = await runStanchionSeed(4);
    expect(first.trace.some((line) => / fire stanchion-wait#/.test(line))).toBe(true);
    expect(first.trace.some((line) => / create \d+ .* ok$/.test(line))).toBe(true);
    expect(again.trace).toEqual(first.trace);
    expect(other.trace).not.toEqual(first.trace);
  }, 60_000);

  it('handoff: same seed, same trace; other seed, other trace (seed 11, 40 steps)', async () => {
    const first = await runHandoffSeed(11, 40);
    const again = await runHandoffSeed(11, 40);
    const other = await runHandoffSeed(12, 40);
    expect(first.trace.some((line) => / flip \d+ to n5$/.test(line))).toBe(true);
    expect(first.trace.some((line) => / fire hint-tick#/.test(line))).toBe(true);
    expect(again.trace).toEqual(first.trace);
    expect(other.trace).not.toEqual(first.trace);
  }, 60_000);
});
