/**
 * The progress of a handoff as `cairn-admin transfers` reports it: a rate averaged over a
 * window (never since the start, never NaN), totals known only once counted, a resumed
 * transfer counting its checkpoint as done; and the node side: ownership transfers and
 * hinted handoffs report their state, counts and completion.
 */
import { describe, expect, it } from 'vitest';
import {
  notStartedReport,
  RecentTransfers,
  TransferProgress,
  windowRate,
  type TransferReport,
} from '../../../ring/core/transfer-progress.js';
import { singleNodeRing, type Ring } from '../../../ring/core/ring.js';
import { HandoffManager } from '../../../ring/node/handoff.js';
import { HintedHandoff } from '../../../ring/node/hinted-handoff.js';
import { PartitionLocks } from '../../../ring/node/partition-locks.js';
import { storageNodeHandler } from '../../../ring/node/storage-node.js';
import { InProcessTransport } from '../../../ring/transport/transport.js';
import { memoryItemStore } from '../../helpers/scratch-dir.js';

describe('transfer progress: window rate', () => {
  it('averages over the window, not since the start (10 s window)', () => {
    const samples = [
      { atMs: 0, items: 0, bytes: 0 },
      { atMs: 50_000, items: 10, bytes: 1_000 },
      { atMs: 55_000, items: 20, bytes: 6_000 },
      { atMs: 60_000, items: 30, bytes: 11_000 },
    ];
    // From the sample at 50 s (the last at or before 60 - 10 s): 10 kB in 10 s.
    expect(windowRate(samples, 60_000, 10_000)).toEqual({
      itemsPerSecond: 2,
      bytesPerSecond: 1_000,
    });
  });

  it('falls while a transfer stalls', () => {
    const samples = [
      { atMs: 0, items: 0, bytes: 0 },
      { atMs: 1_000, items: 5, bytes: 5_000 },
    ];
    const soon = windowRate(samples, 1_000, 10_000)!.bytesPerSecond;
    const later = windowRate(samples, 5_000, 10_000)!.bytesPerSecond;
    expect(later).toBeLessThan(soon);
    expect(later).toBe(1_000);
  });

  it('is null, never NaN, with one sample or no elapsed time', () => {
    expect(windowRate([], 0, 10_000)).toBeNull();
    expect(windowRate([{ atMs: 5, items: 1, bytes: 1 }], 5, 10_000)).toBeNull();
    const same = [
      { atMs: 5, items: 0, bytes: 0 },
      { atMs: 5, items: 1, bytes: 9 },
    ];
    expect(windowRate(same, 5, 10_000)).toBeNull();
  });
});

describe('transfer progress: one transfer', () => {
  it('is counting with unknown totals until counted; a checkpoint counts as done', () => {
    const p = new TransferProgress('ownership', 3, 'a', 'b', 1_000);
    let r = p.report(1_000);
    expect(r).toMatchObject({ state: 'counting', itemsTotal: null, bytesTotal: null });
    expect(r.bytesPerSecond).toBeNull();
    p.counted({ items: 100, bytes: 10_000, itemsBefore: 40, bytesBefore: 4_000 }, 2_000);
    p.state = 'sending';
    p.sent(10, 1_000, 3_000);
    r = p.report(3_000);
    expect(r).toMatchObject({ itemsDone: 50, itemsTotal: 100, bytesDone: 5_000 });
    expect(r.bytesPerSecond).toBe(1_000);
  });

  it('grows a total that forwarded writes outran, so done never exceeds it', () => {
    const p = new TransferProgress('ownership', 3, 'a', 'b', 0);
    p.counted({ items: 2, bytes: 20, itemsBefore: 0, bytesBefore: 0 }, 0);
    p.sent(3, 30, 1_000);
    expect(p.report(1_000)).toMatchObject({ itemsDone: 3, itemsTotal: 3, bytesTotal: 30 });
  });

  it('keeps a bounded number of samples however many batches', () => {
    const p = new TransferProgress('hinted', 1, 'a', 'b', 0);
    p.counted({ items: 1e6, bytes: 1e9, itemsBefore: 0, bytesBefore: 0 }, 0);
    for (let i = 1; i <= 10_000; i++) p.sent(1, 1_000, i);
    expect(p.report(10_000).bytesPerSecond).toBeCloseTo(1e6, -3);
    expect((p as unknown as { samples: unknown[] }).samples.length).toBeLessThanOrEqual(64);
  });

  it('keeps finished transfers for a minute, at most 32', () => {
    const recent = new RecentTransfers();
    const done = (i: number): TransferReport => ({
      ...notStartedReport('ownership', { partition: i, from: 'a', to: 'b' }, 'done', null),
      finishedAtMs: i * 1_000,
    });
    for (let i = 0; i < 40; i++) recent.add(done(i));
    expect(recent.list(39_000)).toHaveLength(32);
    expect(recent.list(39_000 + 60_000 - 500).map((r) => r.partition)).toEqual([39]);
  });
});

const Q = 8;
const batch = { batchItemsMax: 10, batchBytesMax: 1 << 20, timeoutMs: 1000 };
const item = (n: number) => ({
  partition: 3,
  keyspace: 'blocks',
  pk: Buffer.from('pk'),
  sk: Buffer.from(String(n).padStart(4, '0')),
});

function twoNodes() {
  const store = (name: string) => memoryItemStore(`transfers-${name}`);
  const stores = { a: store('a'), b: store('b') };
  const transport = new InProcessTransport();
  transport.register('b', storageNodeHandler(stores.b, Q));
  return { stores, transport };
}

function twoMemberRing(nextOwnerOf3: string | null): Ring {
  const base = singleNodeRing('b', Q);
  return {
    ...base,
    owners: base.owners.map((o, p) => (p === 3 && nextOwnerOf3 ? 'a' : o)),
    members: ['a', 'b'].map((nodeId) => ({ nodeId, status: 'valid' as const, address: '' })),
    nextOwners: base.nextOwners.map((_, p) => (p === 3 ? nextOwnerOf3 : null)),
  };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
  expect(await check()).toBe(true);
}

describe('transfer reports from a node', () => {
  it('hinted: held hints are counted while the primary is down, then reported done', async () => {
    const { stores, transport } = twoNodes();
    const ring = twoMemberRing(null);
    let bUp = false;
    const source = { nodeId: 'a', ring, isUp: (id: string) => id !== 'b' || bUp };
    const hints = new HintedHandoff(stores.a, source, transport, new PartitionLocks(), batch);
    for (let n = 0; n < 25; n++) {
      await stores.a.put(item(n), Buffer.from(`hint ${n}`));
      await hints.markHinted(3);
    }
    const [held] = await hints.report();
    expect(held).toMatchObject({ kind: 'hinted', state: 'waiting-target', to: 'b' });
    expect(held).toMatchObject({ itemsDone: 0, itemsTotal: 25 });
    expect(held!.bytesTotal).toBeGreaterThan(25 * 6);
    bUp = true;
    expect((await hints.report())[0]!.state).toBe('pending');
    await hints.tick();
    await until(() => !hints.isHinted(3));
    const [done] = await hints.report();
    expect(done).toMatchObject({ state: 'done', itemsDone: 25, itemsTotal: 25 });
    expect(done!.bytesDone).toBe(held!.bytesTotal);
  });

  it('ownership: a transfer to a down owner waits, then counts, sends, and is done', async () => {
    const { stores, transport } = twoNodes();
    for (let n = 0; n < 35; n++) await stores.a.put(item(n), Buffer.from(`v${n}`));
    let bUp = false;
    let complete = false;
    const source = {
      nodeId: 'a',
      ring: twoMemberRing('b'),
      isUp: () => bUp,
      reportComplete: async () => {
        // The claimant flips ownership: the partition no longer moves.
        source.ring = twoMemberRing(null);
        complete = true;
      },
    };
    const gate = new InProcessTransport();
    gate.register('b', async (request) => {
      if (!bUp) throw new Error('connection refused');
      return transport.call('b', request);
    });
    const options = { ...batch, transferLimit: 1, bytesPerSecondMax: 1e12, dropDelayMs: 1e6 };
    const handoff = new HandoffManager(stores.a, source, gate, options, Date.now);
    handoff.schedule();
    await until(() => handoff.report()[0]?.state === 'waiting-target');
    const waiting = handoff.report()[0]!;
    expect(waiting).toMatchObject({ kind: 'ownership', itemsTotal: 35, itemsDone: 0 });
    expect(waiting.error).toContain('connection refused');
    expect(handoff.status()[0]!.state).toBe('retrying');
    bUp = true;
    await until(() => complete && handoff.report()[0]?.state === 'done');
    const [done] = handoff.report();
    expect(done).toMatchObject({ itemsDone: 35, itemsTotal: 35, error: null });
    expect(done!.bytesDone).toBe(done!.bytesTotal);
    expect(handoff.status()).toEqual([]);
    handoff.stop();
  });
});
