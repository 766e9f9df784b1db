import { describe, expect, it } from 'vitest';
import { bucketGcLines } from '../../../src/cli/render-bucket-gc.js';

const counts = { partitions: 3, scanned: 9, collectedIds: 2, records: 40, unknown: 1 };
const at = Date.UTC(2026, 11, 7, 6, 0, 0);

describe('gc status: deleted-bucket collectors', () => {
  it('shows a pass under way with its partitions, and a finished one', () => {
    const lines = bucketGcLines([
      {
        workerId: 'dev1',
        current: { startedMs: at, counts },
        partitionsOwned: 21,
        reportedAtMs: 0,
      },
      {
        workerId: 'dev2',
        lastPass: { startedMs: at, finishedMs: at + 1000, counts },
        partitionsOwned: 22,
        reportedAtMs: 0,
      },
      { workerId: 'dev3', reportedAtMs: 0 },
    ]);
    expect(lines).toEqual([
      '  Deleted-bucket collector dev1: pass running since 20261207T060000Z, 3 of 21 ' +
        'partitions, 40 records of 2 deleted bucket ids removed, 9 ids scanned, ' +
        '1 unknown left alone',
      '  Deleted-bucket collector dev2: last pass finished 20261207T060001Z over 22 ' +
        'partitions, 40 records of 2 deleted bucket ids removed, 9 ids scanned, ' +
        '1 unknown left alone',
      '  Deleted-bucket collector dev3: no pass yet',
    ]);
  });
});
