/**
 * The final report (counts, every problem, ETag changes, the exit status it implies) and
 * the progress line (bar, counts, rate, ETA within the terminal's width).
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine } from '../../../src/import/core/progress.js';
import {
  addProblem,
  emptyReport,
  exitCodeOf,
  formatBytes,
  PROBLEMS_KEPT_MAX,
  renderReport,
} from '../../../src/import/core/report.js';

describe('report', () => {
  it('lists every problem and ETag change and exits 2 only when something was not copied', () => {
    const report = emptyReport();
    report.objects.done = 3;
    report.bytesCopied = 3 * 1024 * 1024;
    expect(exitCodeOf(report)).toBe(0);
    expect(renderReport(report, 2000)).toContain('not copied: nothing');
    report.etagChanges.push({
      bucket: 'b',
      key: 'big',
      sourceEtag: 'x-3',
      targetEtag: 'y-2',
      reason: 'no boundaries',
    });
    expect(exitCodeOf(report)).toBe(0);
    addProblem(report, { what: 'object', bucket: 'b', key: 'a key', reason: 'gone' });
    addProblem(report, { what: 'bucket', bucket: 'c', reason: 'taken' });
    addProblem(report, { what: 'user', user: 'KEY', reason: 'conflict' });
    expect(exitCodeOf(report)).toBe(2);
    const text = renderReport(report, 2000);
    expect(text).toContain('objects: 3 copied, 0 already there, 1 failed');
    expect(text).toContain('bytes copied: 3.00 MiB in 2.0 s (1.50 MiB/s)');
    expect(text).toContain('object b/"big": x-3 -> y-2 (no boundaries)');
    expect(text).toContain('object b/"a key": gone');
    expect(text).toContain('bucket c: taken');
    expect(text).toContain('user KEY: conflict');
  });

  it('keeps a bounded list of problems and counts the rest', () => {
    const report = emptyReport();
    for (let i = 0; i < PROBLEMS_KEPT_MAX + 5; i++) {
      addProblem(report, { what: 'object', bucket: 'b', key: `${i}`, reason: 'x' });
    }
    expect(report.problems).toHaveLength(PROBLEMS_KEPT_MAX);
    expect(report.objects.failed).toBe(PROBLEMS_KEPT_MAX + 5);
    expect(renderReport(report, 1)).toContain('...and 5 more');
  });

  it('formats bytes', () => {
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50.0 MiB');
  });
});

describe('progress line', () => {
  it('shows counts, rate and time left, within the width', () => {
    const state = {
      objectsDone: 10,
      objectsTotal: 40,
      bytesDone: 10 * 1024 * 1024,
      bytesTotal: 40 * 1024 * 1024,
      startedAtMs: 0,
    };
    const line = progressLine(state, 10_000, 120);
    expect(line).toContain('10/40 objects');
    expect(line).toContain('10.0 MiB/40.0 MiB');
    expect(line).toContain('1.00 MiB/s');
    expect(line).toContain('ETA 0:30');
    expect(line).toMatch(/^\[#{8}\.{22}\]/);
    expect(progressLine(state, 10_000, 40).length).toBeLessThan(40);
  });

  it('formats durations', () => {
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(Infinity)).toBe('--:--');
  });
});
