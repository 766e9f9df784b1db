/** Splitting a mixed profile into each handler's windows. */
import { describe, expect, it } from 'vitest';
import type { CpuProfile } from '../../../bench/core/cpu-profile.js';
import { summarizeProfile } from '../../../bench/core/cpu-profile.js';
import { splitProfileByHandler } from '../../../bench/core/profile-split.js';

const frame = (functionName: string) => ({ functionName, url: '', lineNumber: 0 });

/** root → putObject → hashing; root → getObject; root → writev (no handler in its stack). */
const nodes: CpuProfile['nodes'] = [
  { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
  { id: 2, callFrame: frame('putObject'), children: [3] },
  { id: 3, callFrame: frame('hashing') },
  { id: 4, callFrame: frame('getObject') },
  { id: 5, callFrame: frame('writev') },
];

describe('profile split', () => {
  it('profile split: a window goes to its dominant handler, handler-less samples too', () => {
    // 0-1 s: PUTs (with a stray GET and socket writes), 1-2 s: GETs and socket writes.
    const samples = [3, 3, 2, 4, 5, 5, 3, 3, 4, 4, 5, 4, 4, 5, 4, 4];
    const profile: CpuProfile = { nodes, samples, timeDeltas: samples.map(() => 125_000) };
    const parts = splitProfileByHandler(profile, {
      handlers: ['putObject', 'getObject'],
      windowUs: 1_000_000,
    });
    // Sample i sits at (i + 1) × 125 ms: the first 7 fall in the first window.
    expect(parts.get('putObject')!.samples).toEqual([3, 3, 2, 4, 5, 5, 3]);
    expect(parts.get('getObject')!.samples).toEqual([3, 4, 4, 5, 4, 4, 5, 4, 4]);
    const put = summarizeProfile(parts.get('putObject')!, 5);
    expect(put.functions.find((f) => f.name === 'writev')!.selfMs).toBe(250);
  });

  it('profile split: a window where no handler dominates belongs to none', () => {
    const samples = [3, 4, 3, 4];
    const profile: CpuProfile = { nodes, samples, timeDeltas: [1, 1, 1, 1] };
    const parts = splitProfileByHandler(profile, { handlers: ['putObject', 'getObject'] });
    expect(parts.get('putObject')!.samples).toEqual([]);
    expect(parts.get('getObject')!.samples).toEqual([]);
  });
});
