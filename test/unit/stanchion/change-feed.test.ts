/**
 * Stanchion's change feed: which keys changed after a position, and when it must answer
 * reset instead (another epoch, a position it no longer covers, one ahead of it).
 */
import { describe, expect, it } from 'vitest';
import { ChangeFeed, type ChangeAnswer } from '../../../stanchion/core/change-feed.js';
import type { LogEntry } from '../../../stanchion/core/commands.js';
import type { BucketRecord, UserRecord } from '../../../stanchion/core/records.js';

const user = (keyId: string) => ({ id: `id-${keyId}`, keyId }) as unknown as UserRecord;
const bucket = (name: string) => ({ name }) as unknown as BucketRecord;
const userEntry = (seq: number, keyId: string): LogEntry => ({
  seq,
  epoch: 1,
  events: [{ type: 'user-updated', user: user(keyId) }],
  result: { ok: true },
});
const bucketEntry = (seq: number, name: string): LogEntry => ({
  seq,
  epoch: 1,
  events: [
    { type: 'bucket-deleted', bucket: bucket(name) },
    { type: 'bucket-created', bucket: bucket(name) },
  ],
  result: { ok: true },
});
const changedOf = (answer: ChangeAnswer) => ('changed' in answer ? answer.changed : 'reset');

describe('change feed', () => {
  it('names the keys changed after a position, and none at the current one', () => {
    const feed = new ChangeFeed();
    feed.restart({ epoch: 3, seq: 10 });
    feed.record(userEntry(11, 'AK1'));
    feed.record(bucketEntry(12, 'photos'));
    expect(feed.position).toEqual({ epoch: 3, seq: 12 });
    expect(changedOf(feed.since({ epoch: 3, seq: 10 }))).toEqual({
      keyIds: ['AK1'],
      userIds: ['id-AK1'],
      buckets: ['photos', 'photos'],
    });
    expect(changedOf(feed.since({ epoch: 3, seq: 11 }))).toEqual({
      keyIds: [],
      userIds: [],
      buckets: ['photos', 'photos'],
    });
    expect(changedOf(feed.since({ epoch: 3, seq: 12 }))).toEqual({
      keyIds: [],
      userIds: [],
      buckets: [],
    });
  });

  it('answers reset for another epoch, a position ahead, and one it never saw', () => {
    const feed = new ChangeFeed();
    feed.restart({ epoch: 3, seq: 10 });
    feed.record(userEntry(11, 'AK1'));
    expect(changedOf(feed.since({ epoch: 2, seq: 11 }))).toBe('reset');
    expect(changedOf(feed.since({ epoch: 3, seq: 12 }))).toBe('reset');
    expect(changedOf(feed.since({ epoch: 3, seq: 9 }))).toBe('reset');
    expect(changedOf(feed.since({ epoch: 0, seq: -1 }))).toBe('reset');
    expect(feed.since({ epoch: 3, seq: 9 }).position).toEqual({ epoch: 3, seq: 11 });
  });

  it('forgets the oldest entries past its bound, and then answers reset for them', () => {
    const feed = new ChangeFeed(4);
    feed.restart({ epoch: 1, seq: 0 });
    for (let seq = 1; seq <= 10; seq++) feed.record(userEntry(seq, `AK${seq}`));
    expect(changedOf(feed.since({ epoch: 1, seq: 5 }))).toBe('reset');
    const answer = changedOf(feed.since({ epoch: 1, seq: 6 }));
    expect(answer).not.toBe('reset');
    expect(answer === 'reset' ? [] : answer.keyIds).toEqual(['AK7', 'AK8', 'AK9', 'AK10']);
  });
});
