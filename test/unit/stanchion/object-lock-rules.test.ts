/**
 * Stanchion's object lock decisions: object lock only on a bucket whose versioning is
 * Enabled, never off again, and a bucket with it never suspended.
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
import type { BucketRecord } from '../../../stanchion/core/records.js';
import { storedSecret } from '../../../stanchion/secret-box.js';

function withOwner(): StanchionState {
  const state = emptyState();
  const user = {
    id: 'u',
    keyId: 'KEYu',
    secret: storedSecret('s'),
    email: 'u@x.io',
    name: 'u',
    displayName: 'u',
    status: 'enabled' as const,
    isAdmin: false,
    createdAtMs: 0,
  };
  run(state, { type: 'create-user', user });
  return state;
}

function run(state: StanchionState, command: Command) {
  const decision = decide(state, command);
  if (decision.events.length > 0) {
    applyEntry(state, makeEntry(state.appliedSeq + 1, 1, command.id, decision));
  }
  return decision.result;
}

const bucket = (extra: Partial<BucketRecord> = {}): BucketRecord => ({
  name: 'b',
  id: 'id-b',
  ownerId: 'u',
  createdAtMs: 0,
  ...extra,
});
const lock = { enabled: true as const, defaultRetention: { mode: 'GOVERNANCE' as const, days: 1 } };
const setLock = { type: 'set-bucket-object-lock', name: 'b', bucketId: 'id-b', objectLock: lock };
const setVersioning = (status: 'Enabled' | 'Suspended') =>
  ({ type: 'set-bucket-versioning', name: 'b', bucketId: 'id-b', status }) as const;

describe('object lock decisions', () => {
  it('refuses object lock unless versioning is Enabled, then keeps it', () => {
    const state = withOwner();
    run(state, { type: 'create-bucket', bucket: bucket() });
    expect(run(state, setLock as Command)).toMatchObject({ ok: false, code: 'InvalidBucketState' });
    run(state, setVersioning('Suspended'));
    expect(run(state, setLock as Command)).toMatchObject({ ok: false, code: 'InvalidBucketState' });
    run(state, setVersioning('Enabled'));
    expect(run(state, setLock as Command)).toMatchObject({ ok: true });
    expect(state.buckets.get('b')?.objectLock).toEqual(lock);
  });

  it('a bucket created with object lock is never suspended', () => {
    const state = withOwner();
    const created = bucket({ versioning: 'Enabled', objectLock: { enabled: true } });
    run(state, { type: 'create-bucket', bucket: created });
    expect(run(state, setVersioning('Suspended'))).toMatchObject({
      ok: false,
      code: 'InvalidBucketState',
    });
    expect(run(state, setVersioning('Enabled')).ok).toBe(true);
    expect(state.buckets.get('b')?.versioning).toBe('Enabled');
  });
});
