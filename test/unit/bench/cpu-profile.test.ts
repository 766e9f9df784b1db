/** Summaries of V8 CPU profiles: self time by function and by area. */
import { describe, expect, it } from 'vitest';
import { areaOf, summarizeProfile, type CpuProfile } from '../../../bench/core/cpu-profile.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

describe('bench cpu profile', () => {
  it('areas: packages, node internals, own modules, natives', () => {
    expect(areaOf('file:///w/node_modules/fastify/lib/route.js', 'x')).toBe('fastify');
    expect(areaOf('file:///w/node_modules/@aws-sdk/core/x.js', 'x')).toBe('@aws-sdk/core');
    expect(areaOf('node:internal/streams/readable', 'x')).toBe('node:internal');
    expect(areaOf('file:///w/dist/src/s3/app.js', 'x')).toBe('cairn:src/s3');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(areaOf('', 'writev')).toBe('(native)');
  });

  it('self time follows the samples and their time deltas', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('hash', 'file:///w/dist/src/auth/sigv4.js', 9) },
        { id: 3, callFrame: frame('(garbage collector)', '') },
      ],
      samples: [2, 2, 3, 2],
      timeDeltas: [1000, 1000, 2000, 1000],
    };
    const summary = summarizeProfile(profile, 10);
    expect(summary.totalMs).toBe(5);
    expect(summary.functions[0]).toEqual({
      name: 'hash dist/src/auth/sigv4.js:10',
      selfMs: 3,
      share: 0.6,
    });
    expect(summary.areas.map((a) => a.name)).toEqual(['cairn:src/auth', '(garbage collector)']);
  });
});
