/**
 * Stanchion's group commit decided (core/batch.ts): a batch answers exactly as the same
 * commands one at a time, its entries numbered on in order, the state left untouched until
 * the shell applies them; a command whose decision throws fails alone.
 */
import { describe, expect, it } from 'vitest';
import { decideBatch } from '../../../stanchion/core/batch.js';
import type { Command } from '../../../stanchion/core/commands.js';
import {
  applyEntry,
  decide,
  emptyState,
  makeEntry,
  type StanchionState,
} from '../../../stanchion/core/decide.js';
import { encodeSnapshot } from '../../../stanchion/core/snapshot.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import { storedSecret } from '../../../stanchion/secret-box.js';

function user(id: string): UserRecord {
  const base = { id, keyId: `KEY${id}`, secret: storedSecret('s'), email: `${id}@x.io` };
  return { ...base, name: id, displayName: id, status: 'enabled', isAdmin: false, createdAtMs: 0 };
}

const bucket = (name: string, id: string, ownerId: string) => ({
  name,
  id,
  ownerId,
  createdAtMs: 0,
});

/** Users, buckets racing for names, updates of what an earlier command made, deletes. */
const COMMANDS: Command[] = [
  { id: 'u1', type: 'create-user', user: user('a') },
  { id: 'u2', type: 'create-user', user: user('b') },
  { id: 'u3', type: 'create-user', user: { ...user('c'), email: 'a@x.io' } },
  { id: 'b1', type: 'create-bucket', bucket: bucket('one', 'id1', 'a') },
  { id: 'b2', type: 'create-bucket', bucket: bucket('one', 'id2', 'b') },
  { id: 'v1', type: 'set-bucket-versioning', name: 'one', bucketId: 'id1', status: 'Enabled' },
  { id: 'd1', type: 'delete-bucket', name: 'one', requesterId: 'a', isEmpty: true },
  { id: 'b3', type: 'create-bucket', bucket: bucket('one', 'id3', 'b') },
  { id: 'b1', type: 'create-bucket', bucket: bucket('one', 'id1', 'a') },
  { type: 'update-user', keyId: 'KEYb', changes: { name: 'bee' } },
];

function oneAtATime(state: StanchionState, commands: readonly Command[]) {
  return commands.map((command) => {
    const decision = decide(state, command);
    if (decision.events.length === 0) return decision.result;
    const entry = makeEntry(state.appliedSeq + 1, 1, command.id, decision);
    applyEntry(state, entry);
    return entry.result;
  });
}

describe('decideBatch', () => {
  it('answers as one at a time, numbers entries in order, and leaves the state alone', () => {
    const expected = emptyState();
    const results = oneAtATime(expected, COMMANDS);
    const state = emptyState();
    const { entries, answers } = decideBatch(state, 1, COMMANDS);
    expect(answers.map((a) => ('result' in a ? a.result : a.error))).toEqual(results);
    expect(encodeSnapshot(state)).toEqual(encodeSnapshot(emptyState()));
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (const entry of entries) applyEntry(state, entry);
    expect(encodeSnapshot(state)).toEqual(encodeSnapshot(expected));
    // The retried b1 is answered from the batch's own earlier entry.
    expect(answers[8]).toMatchObject({ result: { ok: true } });
    expect(answers[4]).toMatchObject({ result: { ok: false, code: 'BucketAlreadyExists' } });
  });

  it('fails only the command whose decision throws', () => {
    const broken = { type: 'update-user', keyId: 'KEYa', changes: null } as unknown as Command;
    const { entries, answers } = decideBatch(emptyState(), 1, [COMMANDS[0]!, broken]);
    expect(entries).toHaveLength(1);
    expect(answers[0]).toMatchObject({ result: { ok: true } });
    expect(answers[1]).toHaveProperty('error');
  });
});
