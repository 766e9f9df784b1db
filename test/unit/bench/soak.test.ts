/** The soak's pure parts: its command line, the ledger of what each key may hold, windows. */
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../bench/soak/ledger.js';
import { parseSoakOptions } from '../../../bench/soak/options.js';
import {
  latencyCsvRows,
  processCsvRows,
  startMiddleEnd,
  tableLine,
  type SoakSample,
} from '../../../bench/soak/report.js';
import { LatencyWindows } from '../../../bench/soak/window.js';

const NOW = new Date('2026-12-07T06:00:00.000Z');

describe('soak options', () => {
  it('takes the documented defaults', () => {
    expect(parseSoakOptions(['--minutes', '30'], NOW)).toEqual({
      minutes: 30,
      nodes: 5,
      restartEveryMinutes: 3,
      out: 'soak-results/2026-12-07T06-00-00-000Z',
      concurrency: 4,
      sampleSeconds: 10,
      keysPerWorker: 40,
      gcLeewaySeconds: 60,
    });
  });

  it('reads every flag; 0 turns restarts off', () => {
    const argv = ['--minutes', '0.5', '--nodes', '3', '--restart-every-minutes', '0'];
    const options = parseSoakOptions([...argv, '--out', 'x', '--concurrency', '2'], NOW);
    expect(options).toMatchObject({ minutes: 0.5, nodes: 3, restartEveryMinutes: 0, out: 'x' });
  });

  it('refuses what is missing, negative, not a number or not whole', () => {
    expect(() => parseSoakOptions([], NOW)).toThrow(/--minutes is required/);
    expect(() => parseSoakOptions(['--minutes=-1'], NOW)).toThrow(/positive/);
    expect(() => parseSoakOptions(['--minutes', '-1'], NOW)).toThrow(/--minutes/);
    expect(() => parseSoakOptions(['--minutes', 'ten'], NOW)).toThrow(/positive/);
    expect(() => parseSoakOptions(['--minutes', '0'], NOW)).toThrow(/positive/);
    expect(() => parseSoakOptions(['--minutes', '1', '--nodes', '2.5'], NOW)).toThrow(/whole/);
    expect(() => parseSoakOptions(['--minutes', '1', '--nodes', '99'], NOW)).toThrow(/whole/);
    expect(() => parseSoakOptions(['--minutes', '1', '--bogus'], NOW)).toThrow();
    expect(parseSoakOptions(['--help'], NOW)).toBe('help');
  });
});

const A = { sha256: 'a'.repeat(64), bytes: 10 };
const B = { sha256: 'b'.repeat(64), bytes: 20 };

describe('soak ledger', () => {
  it('an acknowledged PUT must read back with its bytes; missing is a loss', () => {
    const ledger = new Ledger();
    ledger.acknowledged('k', A);
    expect(ledger.judge('k', A)).toBe('ok');
    expect(ledger.judge('k', null)).toBe('lost');
    expect(ledger.judge('k', B)).toBe('corrupt');
    expect(ledger.certain('k')).toEqual(A);
    expect(ledger.acknowledgedPresent()).toBe(1);
  });

  it('an acknowledged DELETE must stay gone', () => {
    const ledger = new Ledger();
    ledger.acknowledged('k', A);
    ledger.acknowledged('k', null);
    expect(ledger.judge('k', null)).toBe('ok');
    expect(ledger.judge('k', A)).toBe('resurrected');
    expect(ledger.certain('k')).toBeNull();
  });

  it('a failed request allows both outcomes until the next acknowledged one', () => {
    const ledger = new Ledger();
    ledger.acknowledged('k', A);
    ledger.uncertain('k', B);
    expect(ledger.judge('k', A)).toBe('ok');
    expect(ledger.judge('k', B)).toBe('ok');
    expect(ledger.judge('k', null)).toBe('lost');
    expect(ledger.certain('k')).toBeUndefined();
    ledger.uncertain('k', null);
    expect(ledger.judge('k', null)).toBe('ok');
    ledger.acknowledged('k', B);
    expect(ledger.judge('k', A)).toBe('corrupt');
  });

  it('a failed first PUT of a key allows nothing there', () => {
    const ledger = new Ledger();
    ledger.uncertain('k', A);
    expect(ledger.judge('k', null)).toBe('ok');
    expect(ledger.judge('k', A)).toBe('ok');
    expect(ledger.keys()).toEqual(['k']);
    expect(ledger.acknowledgedPresent()).toBe(0);
  });
});

describe('soak latency windows and report', () => {
  it('hands out each window once, with counts, errors and percentiles', () => {
    const windows = new LatencyWindows();
    for (let ms = 1; ms <= 100; ms++) windows.ok('get', ms);
    windows.failed('get', 'ServiceUnavailable 503');
    const first = windows.take().find((w) => w.op === 'get')!;
    expect(first).toEqual({ op: 'get', count: 100, errors: 1, p50Ms: 50, p99Ms: 99 });
    const second = windows.take().find((w) => w.op === 'get')!;
    expect(second.count).toBe(0);
    expect(second.p99Ms).toBeNaN();
    expect(windows.totals()).toEqual({
      ops: 101,
      errors: 1,
      errorKinds: { 'get: ServiceUnavailable 503': 1 },
    });
  });

  it('prints a line and CSV rows per sample, a restarting node as missing', () => {
    const sample: SoakSample = {
      tS: 10,
      processes: [
        { name: 'dev1', pid: 5, rssBytes: 100e6, fds: 60, dataBytes: 2e6 },
        { name: 'dev2', pid: null, rssBytes: null, fds: null, dataBytes: 3e6 },
        { name: 's3', pid: 7, rssBytes: 80e6, fds: 30, dataBytes: null },
      ],
      ops: [{ op: 'get', count: 3, errors: 1, p50Ms: 5, p99Ms: 9 }],
    };
    expect(tableLine(sample)).toBe('   10 | 100 - 80 | 60 - 30 | 2.0 3.0 | 3 1 | g 9');
    expect(processCsvRows(sample)).toEqual([
      '10,dev1,5,100000000,60,2000000',
      '10,dev2,,,,3000000',
      '10,s3,7,80000000,30,',
    ]);
    expect(latencyCsvRows(sample)).toEqual(['10,get,3,1,5,9']);
    const [start, middle, end] = startMiddleEnd([sample, { ...sample, tS: 20 }, sample]);
    expect(start!.dataMBTotal).toBe(5);
    expect(middle!.tS).toBe(20);
    expect(end!.rssMB).toEqual({ dev1: 100, dev2: null, s3: 80 });
  });
});
