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
  applyEntry,
  decide,
  makeEntry,
  emptyState,
  type StanchionState,
} from '../../../stanchion/core/decide.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import { storedSecret } from '../../../stanchion/secret-box.js';

function user(id: string, email: string): UserRecord {
  return {
    id,
    keyId: `KEY${id}`,
    secret: storedSecret('s'),
    email,
    name: id,
    displayName: id,
    status: 'enabled',
    isAdmin: false,
    createdAtMs: 0,
  };
}

function run(state: StanchionState, command: Command) {
  const decision = decide(state, command);
  if (decision.events.length > 0) {
    applyEntry(state, makeEntry(state.appliedSeq + 1, 1, command.id, decision));
  }
  return decision.result;
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

describe('decide: users', () => {
  it('updates name, e-mail, status and secret; keeps e-mails unique', () => {
    const state = emptyState();
    run(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    run(state, { type: 'create-user', user: user('u2', 'b@x.io') });
    const taken = run(state, { type: 'update-user', keyId: 'KEYu2', changes: { email: 'A@x.io' } });
    expect(taken).toMatchObject({ ok: false, code: 'UserAlreadyExists' });
    const changes = {
      email: 'c@x.io',
      status: 'disabled',
      secret: storedSecret('new'),
    } as const;
    const updated = run(state, { type: 'update-user', keyId: 'KEYu2', changes });
    expect(updated).toMatchObject({ ok: true, user: { email: 'c@x.io', status: 'disabled' } });
    expect(state.userIdByEmail.has('b@x.io')).toBe(false);
    expect(run(state, { type: 'create-user', user: user('u3', 'b@x.io') }).ok).toBe(true);
    const missing = run(state, { type: 'update-user', keyId: 'nope', changes: {} });
    expect(missing).toMatchObject({ code: 'NoSuchUser' });
  });

  it('answers a retried command id with the first answer, not a second application', () => {
    const state = emptyState();
    run(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    const rekey = { id: 'cmd-1', type: 'update-user', keyId: 'KEYu1' } as const;
    expect(run(state, { ...rekey, changes: { secret: storedSecret('one') } }).ok).toBe(true);
    const retry = decide(state, { ...rekey, changes: { secret: storedSecret('two') } });
    expect(retry.events).toEqual([]);
    expect(retry.result).toMatchObject({ ok: true, user: { secret: 'one' } });
    expect(state.users.get('u1')!.secret).toBe('one');
  });
});

describe('decide: bucket ACL and policy', () => {
  it('changes only the bucket the caller saw (same id)', () => {
    const state = emptyState();
    run(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    const bucket = { name: 'b1', id: 'id1', ownerId: 'u1', createdAtMs: 0 };
    run(state, { type: 'create-bucket', bucket });
    const acl = { ownerId: 'u1', grants: [] };
    const stale = run(state, { type: 'set-bucket-acl', name: 'b1', bucketId: 'old', acl });
    expect(stale).toMatchObject({ code: 'NoSuchBucket' });
    expect(run(state, { type: 'set-bucket-acl', name: 'b1', bucketId: 'id1', acl }).ok).toBe(true);
    const policy = { type: 'set-bucket-policy', name: 'b1', bucketId: 'id1' } as const;
    run(state, { ...policy, policy: '{"Statement":[]}' });
    expect(state.buckets.get('b1')).toMatchObject({ acl, policy: '{"Statement":[]}' });
    run(state, { ...policy, policy: null });
    expect(state.buckets.get('b1')!.policy).toBeUndefined();
    expect(state.buckets.get('b1')!.acl).toEqual(acl);
  });

  it('stamps every record of an entry with its revision', () => {
    const state = emptyState();
    const decision = decide(state, { type: 'create-user', user: user('u1', 'a@x.io') });
    const entry = makeEntry(7, 3, 'c', decision);
    expect(entry.events[0]).toMatchObject({ user: { rev: { epoch: 3, seq: 7 } } });
    expect(entry.result).toMatchObject({ user: { rev: { epoch: 3, seq: 7 } } });
    applyEntry(state, entry);
    expect(state).toMatchObject({ appliedSeq: 7, epoch: 3 });
    expect(state.results.get('c')).toEqual(entry.result);
  });
});

describe('CommandLog', () => {
  it('replays every entry in order after reopening, from any point', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-log-'));
    try {
      const log = await CommandLog.open(dir);
      const state = emptyState();
      for (const [seq, id] of [
        [1, 'u1'],
        [2, 'u2'],
        [3, 'u3'],
      ] as const) {
        const decision = decide(state, { type: 'create-user', user: user(id, `${id}@x.io`) });
        const entry = makeEntry(seq, 1, undefined, decision);
        applyEntry(state, entry);
        await log.put(entry);
      }
      await log.close();
      const reopened = await CommandLog.open(dir);
      const replayed = emptyState();
      for await (const entry of reopened.replay()) applyEntry(replayed, entry);
      expect([...replayed.users.keys()]).toEqual(['u1', 'u2', 'u3']);
      const tail: number[] = [];
      for await (const entry of reopened.replay(1)) tail.push(entry.seq);
      expect(tail).toEqual([2, 3]);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
