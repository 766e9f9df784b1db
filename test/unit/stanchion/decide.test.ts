/**
 * Stanchion's pure decisions, and the command log surviving a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandLog } from '../../../stanchion/command-log.js';
import type { Command } from '../../../stanchion/core/commands.js';
import {
  applyEvent,
  decide,
  emptyState,
  type StanchionState,
} from '../../../stanchion/core/decide.js';
import type { UserRecord } from '../../../stanchion/core/records.js';

function user(id: string, email: string): UserRecord {
  return {
    id,
    keyId: `KEY${id}`,
    secret: 's',
    email,
    name: id,
    displayName: id,
    status: 'enabled',
    isAdmin: false,
    createdAtMs: 0,
  };
}

function run(state: StanchionState, command: Command) {
  const { events, result } = decide(state, command);
  for (const event of events) applyEvent(state, event);
  return result;
}

describe('decide', () => {
  it('keeps e-mails unique, case-insensitively', () => {
    const state = emptyState();
    expect(run(state, { type: 'create-user', user: user('u1', 'a@x.io') }).ok).toBe(true);
    const again = run(state, { type: 'create-user', user: user('u2', 'A@X.io') });
    expect(again).toMatchObject({ ok: false, code: 'UserAlreadyExists' });
  });

  it('gives a bucket name one owner: BucketAlreadyExists for others, OwnedByYou for them', () => {
    const state = emptyState();
    run(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    run(state, { type: 'create-user', user: user('u2', 'b@x.io') });
    const bucket = (ownerId: string, id: string) =>
      ({ type: 'create-bucket', bucket: { name: 'b1', id, ownerId, createdAtMs: 0 } }) as const;
    expect(run(state, bucket('u1', 'id1')).ok).toBe(true);
    expect(run(state, bucket('u1', 'id2'))).toMatchObject({ code: 'BucketAlreadyOwnedByYou' });
    expect(run(state, bucket('u2', 'id3'))).toMatchObject({ code: 'BucketAlreadyExists' });
  });

  it('deletes only an empty bucket, only for its owner', () => {
    const state = emptyState();
    run(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    run(state, { type: 'create-user', user: user('u2', 'b@x.io') });
    run(state, {
      type: 'create-bucket',
      bucket: { name: 'b1', id: 'i', ownerId: 'u1', createdAtMs: 0 },
    });
    const del = (requesterId: string, isEmpty: boolean) =>
      run(state, { type: 'delete-bucket', name: 'b1', requesterId, isEmpty });
    expect(del('u2', true)).toMatchObject({ code: 'AccessDenied' });
    expect(del('u1', false)).toMatchObject({ code: 'BucketNotEmpty' });
    expect(del('u1', true).ok).toBe(true);
    expect(del('u1', true)).toMatchObject({ code: 'NoSuchBucket' });
    expect(state.bucketCountByOwner.get('u1')).toBe(0);
  });

  it('never changes the state itself', () => {
    const state = emptyState();
    decide(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    expect(state.users.size).toBe(0);
  });
});

describe('CommandLog', () => {
  it('replays every appended entry in order after reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-log-'));
    try {
      const log = await CommandLog.open(dir);
      await log.append([{ type: 'user-created', user: user('u1', 'a@x.io') }]);
      await log.append([{ type: 'user-created', user: user('u2', 'b@x.io') }]);
      await log.close();
      const reopened = await CommandLog.open(dir);
      const seqs: number[] = [];
      for await (const entry of reopened.replay()) seqs.push(entry.seq);
      expect(seqs).toEqual([1, 2]);
      expect(await reopened.append([])).toBe(3);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
