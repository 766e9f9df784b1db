/**
 * Stanchion's quota decisions: a set-quota command changes the limits it names (null
 * removes one, absent keeps it), keeps every other field of the record, and refuses bad
 * values and unknown users or buckets without an event.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../stanchion/core/commands.js';
import {
  applyEntry,
  decide,
  emptyState,
  makeEntry,
  type StanchionState,
} from '../../../stanchion/core/decide.js';
import { changedQuota, quotaValueRefusal } from '../../../stanchion/core/quota.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import { storedSecret } from '../../../stanchion/secret-box.js';

const alice: UserRecord = {
  id: 'u1',
  keyId: 'KEY1',
  secret: storedSecret('s'),
  email: 'a@example.com',
  name: 'alice',
  displayName: 'alice',
  status: 'enabled',
  isAdmin: false,
  createdAtMs: 0,
};

function run(state: StanchionState, command: Command) {
  const decision = decide(state, command);
  if (decision.events.length > 0) {
    applyEntry(state, makeEntry(state.appliedSeq + 1, 1, command.id, decision));
  }
  return decision;
}

function world(): StanchionState {
  const state = emptyState();
  run(state, { type: 'create-user', user: alice });
  const bucket = { name: 'photos', id: 'b1', ownerId: 'u1', createdAtMs: 0, versioning: 'Enabled' };
  run(state, { type: 'create-bucket', bucket: bucket as never });
  return state;
}

describe('stanchion: set-quota', () => {
  it('sets, merges and clears a user quota, keeping the rest of the record', () => {
    const state = world();
    const target = { user: 'KEY1' };
    run(state, { type: 'set-quota', target, changes: { bytesMax: 1000 } });
    run(state, { type: 'set-quota', target, changes: { objectsMax: 5 } });
    expect(state.users.get('u1')).toMatchObject({ email: 'a@example.com', status: 'enabled' });
    expect(state.users.get('u1')!.quota).toEqual({ bytesMax: 1000, objectsMax: 5 });
    run(state, { type: 'set-quota', target, changes: { bytesMax: null } });
    expect(state.users.get('u1')!.quota).toEqual({ objectsMax: 5 });
    run(state, { type: 'set-quota', target, changes: { bytesMax: null, objectsMax: null } });
    expect(state.users.get('u1')!.quota).toBeUndefined();
    expect('quota' in state.users.get('u1')!).toBe(false);
  });

  it('sets a bucket quota (0 is a limit: nothing more fits) and keeps versioning', () => {
    const state = world();
    const decision = run(state, {
      type: 'set-quota',
      target: { bucket: 'photos' },
      changes: { objectsMax: 0 },
    });
    expect(decision.result.ok).toBe(true);
    expect(state.buckets.get('photos')).toMatchObject({
      versioning: 'Enabled',
      quota: { objectsMax: 0 },
    });
    expect(decision.events[0]!.type).toBe('bucket-updated');
  });

  it.each([
    [{ bytesMax: -1 }, 'negative'],
    [{ objectsMax: 1.5 }, 'whole'],
    [{ bytesMax: Number.NaN }, 'whole'],
    [{ bytesMax: 2 ** 60 }, 'whole'],
    [{ objectsMax: '10' as unknown as number }, 'whole'],
  ])('refuses %o with InvalidArgument and no event', (changes, words) => {
    const state = world();
    const decision = run(state, { type: 'set-quota', target: { user: 'KEY1' }, changes });
    expect(decision.events).toEqual([]);
    expect(decision.result).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(JSON.stringify(decision.result)).toContain(words);
    expect(state.users.get('u1')!.quota).toBeUndefined();
  });

  it('refuses unknown users and buckets', () => {
    const state = world();
    const user = decide(state, { type: 'set-quota', target: { user: 'NOPE' }, changes: {} });
    const bucket = decide(state, {
      type: 'set-quota',
      target: { bucket: 'nope' },
      changes: { bytesMax: 1 },
    });
    expect(user.result).toMatchObject({ ok: false, code: 'NoSuchUser' });
    expect(bucket.result).toMatchObject({ ok: false, code: 'NoSuchBucket' });
    expect([...user.events, ...bucket.events]).toEqual([]);
  });

  it('changedQuota and quotaValueRefusal', () => {
    expect(changedQuota(undefined, {})).toBeUndefined();
    expect(changedQuota({ bytesMax: 1 }, { objectsMax: 2 })).toEqual({
      bytesMax: 1,
      objectsMax: 2,
    });
    expect(quotaValueRefusal(0)).toBeUndefined();
    expect(quotaValueRefusal(null)).toBeUndefined();
    expect(quotaValueRefusal(-3)).toMatch(/negative/);
  });
});
