/** Parsing /proc text: CPU ticks, memory and disk write counters. */
import { describe, expect, it } from 'vitest';
import { parseIoField, parseStatCpuTicks, parseStatusKb } from '../../../bench/core/proc-parse.js';

describe('bench proc parsing', () => {
  it('utime + stime are fields 14 and 15, counted after the last parenthesis', () => {
    const stat =
      '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 101 0 0 0 250 75 0 0 20 0 11 0 ' +
      '59749 3133440 415 18446744073709551615';
    expect(parseStatCpuTicks(stat)).toBe(325);
  });

  it('VmHWM from status, in KiB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1000 kB\n';
    expect(parseStatusKb(status, 'VmHWM')).toBe(204800);
    expect(() => parseStatusKb(status, 'VmSwap')).toThrow(/VmSwap/);
  });

  it('write_bytes from io, not cancelled_write_bytes', () => {
    const io =
      'rchar: 1\nwchar: 2\nread_bytes: 0\nwrite_bytes: 67112960\ncancelled_write_bytes: 4096\n';
    expect(parseIoField(io, 'write_bytes')).toBe(67112960);
    expect(parseIoField(io, 'cancelled_write_bytes')).toBe(4096);
  });

  it('garbage is an error, not a zero', () => {
    expect(() => parseStatCpuTicks('no parens here')).toThrow();
    expect(() => parseStatCpuTicks('1 (x) S 1')).toThrow(/utime/);
  });
});
