/** The command line of the harness, and the plans it selects. */
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../../bench/core/options.js';
import { benchPlan } from '../../../bench/core/plan.js';

describe('bench options', () => {
  it('defaults: full run, embedded store, no peer', () => {
    expect(parseBenchArgs([])).toEqual({
      phases: new Set(['small', 'large', 'multipart', 'list']),
      quick: false,
      list1m: false,
      region: 'us-east-1',
      help: false,
    });
  });

  it('--quick --peer s3rver --json FILE', () => {
    const options = parseBenchArgs(['--quick', '--peer', 's3rver', '--json', '/tmp/q.json']);
    expect(options).toMatchObject({ quick: true, peer: 's3rver', jsonPath: '/tmp/q.json' });
  });

  it('--phases picks phases and refuses unknown ones', () => {
    expect([...parseBenchArgs(['--phases', 'list,small']).phases]).toEqual(['list', 'small']);
    expect(() => parseBenchArgs(['--phases', 'small,nodes'])).toThrow(/unknown phase/);
  });

  it('cluster is opt-in: --cluster adds it, --phases cluster runs it alone', () => {
    expect(parseBenchArgs([]).phases.has('cluster')).toBe(false);
    expect([...parseBenchArgs(['--quick', '--cluster']).phases]).toEqual([
      'small',
      'large',
      'multipart',
      'list',
      'cluster',
    ]);
    expect([...parseBenchArgs(['--phases', 'cluster']).phases]).toEqual(['cluster']);
    expect([...parseBenchArgs(['--phases', 'small', '--cluster']).phases]).toEqual([
      'small',
      'cluster',
    ]);
    expect(() =>
      parseBenchArgs([
        '--cluster',
        '--endpoint',
        'http://h:1',
        '--access-key',
        'K',
        '--secret-key',
        'S',
      ]),
    ).toThrow(/cluster/);
  });

  it('--endpoint needs both keys; --server-pid is optional', () => {
    expect(() => parseBenchArgs(['--endpoint', 'http://127.0.0.1:9000'])).toThrow(/access-key/);
    const options = parseBenchArgs([
      '--endpoint',
      'http://127.0.0.1:9000/',
      '--access-key',
      'K',
      '--secret-key',
      'S',
      '--server-pid',
      '123',
    ]);
    expect(options.endpoint).toEqual({
      url: 'http://127.0.0.1:9000',
      accessKeyId: 'K',
      secretAccessKey: 'S',
      pid: 123,
    });
  });

  it('refuses what does not exist: node-count options, other peers, stray words', () => {
    expect(() => parseBenchArgs(['--nodes', '3'])).toThrow();
    expect(() => parseBenchArgs(['--peer', 'minio'])).toThrow(/s3rver/);
    expect(() => parseBenchArgs(['quick'])).toThrow(/unexpected/);
    expect(() => parseBenchArgs(['--access-key', 'K'])).toThrow(/--endpoint/);
  });
});

describe('bench plan', () => {
  it('quick: short points, one round, the 10k LIST bucket only', () => {
    const plan = benchPlan({ quick: true, list1m: false });
    expect(plan.pointDurationMs).toBe(3000);
    expect(plan.rounds).toBe(1);
    expect(plan.listSizes).toEqual([10_000]);
    expect(plan.concurrencies).toEqual([1, 16, 64]);
    expect(plan.clusterNodeCounts).toEqual([1, 3, 5]);
    expect(plan.clusterJoinObjects).toBe(50);
    expect(plan.clusterConvergeMaxMs).toBe(120_000);
  });

  it('full: 10k and 100k, and 1M only by flag', () => {
    expect(benchPlan({ quick: false, list1m: false }).listSizes).toEqual([10_000, 100_000]);
    expect(benchPlan({ quick: false, list1m: true }).listSizes).toEqual([
      10_000, 100_000, 1_000_000,
    ]);
  });
});
