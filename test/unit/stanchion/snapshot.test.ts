/**
 * Stanchion's snapshots: the pure encoding (core/snapshot.ts) gives back the state the log
 * folds to, chunks are checked against their head, and the local log keeps a snapshot
 * beside its entries, trims below it, and still opens a data dir that has none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandLog } from '../../../stanchion/command-log.js';
import type { Command, LogEntry } from '../../../stanchion/core/commands.js';
import {
  applyEntry,
  decide,
  emptyState,
  makeEntry,
  type StanchionState,
} from '../../../stanchion/core/decide.js';
import type { UserRecord } from '../../../stanchion/core/records.js';
import {
  chunksOf,
  encodeSnapshot,
  headOf,
  joinChunks,
  parseSnapshot,
  snapshotDue,
  stateOf,
  trimThrough,
} from '../../../stanchion/core/snapshot.js';
import { resealRing, resealSnapshotText } from '../../../stanchion/reseal.js';
import { RingSnapshots } from '../../../stanchion/ring-snapshot.js';
import { keyBox, sealUser, storedSecret } from '../../../stanchion/secret-box.js';
import { memoryRing } from '../../helpers/memory-ring.js';

function user(id: string): UserRecord {
  return {
    id,
    keyId: `KEY${id}`,
    secret: storedSecret('sealed:v1:0000:x'),
    email: `${id}@X.io`,
    name: id,
    displayName: 'é ü 漢',
    status: 'enabled',
    isAdmin: false,
    createdAtMs: 0,
  };
}

/** A history of users, buckets, an update, a delete and a refusal; its entries. */
function history(state: StanchionState): LogEntry[] {
  const commands: Command[] = [
    { id: 'c1', type: 'create-user', user: user('u1') },
    { id: 'c2', type: 'create-user', user: user('u2') },
    { type: 'update-user', keyId: 'KEYu1', changes: { email: 'new@x.io' } },
    ...['a', 'b', 'c'].map((name): Command => ({
      id: `b-${name}`,
      type: 'create-bucket',
      bucket: { name, id: `id-${name}`, ownerId: 'u1', createdAtMs: 0 },
    })),
    { type: 'delete-bucket', name: 'b', requesterId: 'u1', isEmpty: true },
  ];
  const entries: LogEntry[] = [];
  for (const command of commands) {
    const decision = decide(state, command);
    const entry = makeEntry(state.appliedSeq + 1, 2, command.id, decision);
    applyEntry(state, entry);
    entries.push(entry);
  }
  return entries;
}

describe('stanchion snapshot (pure)', () => {
  it('gives back the state the log folds to, indexes included', () => {
    const state = emptyState();
    history(state);
    const back = stateOf(parseSnapshot(encodeSnapshot(state)));
    expect(back).toEqual(state);
    // The rebuilt indexes decide as the originals do.
    const again: Command = { type: 'create-user', user: { ...user('u9'), email: 'NEW@x.io' } };
    expect(decide(back, again)).toEqual(decide(state, again));
    expect(decide(back, { id: 'c1', type: 'create-user', user: user('u1') }).events).toEqual([]);
  });

  it('keeps sealed secrets as the log holds them', () => {
    const state = emptyState();
    history(state);
    expect(encodeSnapshot(state)).toContain('sealed:v1:0000:x');
  });

  it('cuts text into chunks by bytes and checks them against the head', () => {
    const text = JSON.stringify({ s: '漢字'.repeat(50) });
    const chunks = chunksOf(text, 7);
    expect(chunks.length).toBeGreaterThan(10);
    const head = headOf(chunks, { seq: 5, epoch: 1, writerId: 'w' });
    expect(joinChunks(head, chunks)).toBe(text);
    expect(() => joinChunks(head, chunks.slice(1))).toThrow(/does not match/);
    const torn = [...chunks];
    torn[2] = Buffer.from('xxxxxxx');
    expect(() => joinChunks(head, torn)).toThrow(/does not match/);
  });

  it('refuses a format it does not know', () => {
    expect(() => parseSnapshot(JSON.stringify({ format: 99, seq: 1, epoch: 1 }))).toThrow(
      /unknown format 99/,
    );
  });

  it('is due by entries or by bytes, and trims below it less the tail', () => {
    const policy = { everyEntries: 10, everyBytes: 1000, tailEntries: 3 };
    expect(snapshotDue(policy, { entries: 9, bytes: 999 })).toBe(false);
    expect(snapshotDue(policy, { entries: 10, bytes: 0 })).toBe(true);
    expect(snapshotDue(policy, { entries: 1, bytes: 1000 })).toBe(true);
    expect(trimThrough(policy, 20)).toBe(17);
    expect(trimThrough(policy, 2)).toBe(0);
  });
});

async function withLog(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function replayed(log: CommandLog, after = 0): Promise<number[]> {
  const seqs: number[] = [];
  for await (const entry of log.replay(after)) seqs.push(entry.seq);
  return seqs;
}

describe('CommandLog with a snapshot', () => {
  it('opens a log of an older Cairn (no snapshot) and replays it whole', async () => {
    await withLog(async (dir) => {
      const log = await CommandLog.open(dir);
      for (const entry of history(emptyState())) await log.put(entry);
      expect(await log.loadSnapshot()).toBeUndefined();
      expect(await replayed(log)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      await log.close();
    });
  });

  it('keeps the snapshot beside the entries, trims below it, survives reopening', async () => {
    await withLog(async (dir) => {
      let log = await CommandLog.open(dir);
      const state = emptyState();
      for (const entry of history(state)) await log.put(entry);
      const chunks = chunksOf(encodeSnapshot(state), 64);
      const head = headOf(chunks, { seq: 7, epoch: 2, writerId: 's1' });
      await log.saveSnapshot(head, chunks);
      expect(await log.trimThrough(5)).toBe(5);
      await log.close();
      log = await CommandLog.open(dir);
      const stored = await log.loadSnapshot();
      expect(stored?.head).toEqual(head);
      expect(stateOf(parseSnapshot(stored!.text))).toEqual(state);
      // Replay never yields snapshot keys, which sort after every entry.
      expect(await replayed(log)).toEqual([6, 7]);
      expect(await log.trimThrough(5)).toBe(0);
      await log.close();
    });
  });

  it('replaces an older snapshot and drops its chunks', async () => {
    await withLog(async (dir) => {
      const log = await CommandLog.open(dir);
      const state = emptyState();
      history(state);
      const big = chunksOf(encodeSnapshot(state), 16);
      await log.saveSnapshot(headOf(big, { seq: 3, epoch: 2, writerId: 's1' }), big);
      const small = chunksOf(encodeSnapshot(state), 4096);
      const head = headOf(small, { seq: 7, epoch: 2, writerId: 's1' });
      await log.saveSnapshot(head, small);
      expect((await log.loadSnapshot())?.head).toEqual(head);
      const keys = await (log as unknown as { db: { keys(): { all(): Promise<Buffer[]> } } }).db
        .keys()
        .all();
      expect(keys.filter((k) => k[0] === 0xff)).toHaveLength(2); // the head and one chunk
      await log.close();
    });
  });

  it('re-seals the snapshot through rewriteSnapshot', async () => {
    await withLog(async (dir) => {
      const log = await CommandLog.open(dir);
      const state = emptyState();
      history(state);
      const chunks = chunksOf(encodeSnapshot(state), 32);
      await log.saveSnapshot(headOf(chunks, { seq: 7, epoch: 2, writerId: 's1' }), chunks);
      const change = (text: string) => text.replaceAll('0000', '1111');
      expect(await log.rewriteSnapshot(change)).toBe(true);
      expect(await log.rewriteSnapshot(change)).toBe(false);
      const text = (await log.loadSnapshot())!.text;
      expect(text).toContain('sealed:v1:1111:x');
      expect(text).not.toContain('sealed:v1:0000:x');
      await log.close();
    });
  });
});

describe('re-sealing a snapshot (cairn rekey-secrets)', () => {
  const from = keyBox(Buffer.alloc(32, 7));
  const to = keyBox(Buffer.alloc(32, 9));

  function sealedState(): StanchionState {
    const state = emptyState();
    const record = sealUser(from, { ...user('u1'), secret: 'clear' });
    const entry = makeEntry(1, 1, 'c1', decide(state, { type: 'create-user', user: record }));
    applyEntry(state, entry);
    return state;
  }

  it('re-seals users and remembered answers, once', () => {
    const text = resealSnapshotText({ from, to }, encodeSnapshot(sealedState()));
    const state = stateOf(parseSnapshot(text));
    expect(to.open('KEYu1', state.users.get('u1')!.secret)).toBe('clear');
    const answer = state.results.get('c1');
    expect(answer?.ok && to.open('KEYu1', answer.user!.secret)).toBe('clear');
    expect(resealSnapshotText({ from, to }, text)).toBe(text);
  });

  it('re-seals the ring snapshot and goes on from its seq', async () => {
    const ring = memoryRing();
    const chunks = chunksOf(encodeSnapshot(sealedState()), 40);
    await new RingSnapshots(ring).save(
      headOf(chunks, { seq: 1, epoch: 1, writerId: 's1' }),
      chunks,
    );
    const result = await resealRing(ring, { from, to });
    expect(result).toMatchObject({ entries: 0, snapshot: true });
    expect(result.users.map((u) => to.open(u.keyId, u.secret))).toEqual(['clear']);
    const stored = await new RingSnapshots(ring).load();
    expect(stored?.head.seq).toBe(1);
    expect(stateOf(parseSnapshot(stored!.text)).users.get('u1')!.secret).not.toContain(
      from.keyTag!,
    );
  });
});
