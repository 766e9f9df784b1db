/**
 * The text of `cairn-admin transfers`: each state in words, objects and bytes of a total
 * (or "unknown yet"), rate and ETA from the window, a bar only on a terminal and within its
 * width, zero totals, and never NaN or Infinity whatever the figures.
 */
import { describe, expect, it } from 'vitest';
import { singleNodeRing, type Ring } from '../../../ring/core/ring.js';
import {
  notStartedReport,
  type TransferReport,
  type TransferState,
} from '../../../ring/core/transfer-progress.js';
import { transfersText } from '../../../src/cli/render-cluster.js';
import {
  etaSeconds,
  formatBytes,
  formatDuration,
  fractionDone,
  fromLegacyStatus,
  progressBar,
  renderTransfers,
  stateWords,
  waitingOwnership,
  type TransfersView,
} from '../../../src/cli/render-transfers.js';

const PIPE = { tty: false, columns: 80 };
const TTY = { tty: true, columns: 80 };

function sending(fields: Partial<TransferReport> = {}): TransferReport {
  return {
    ...notStartedReport('ownership', { partition: 12, from: 'dev1@h', to: 'dev5@h' }, 'sending', {
      items: 3_000,
      bytes: 30_000_000,
    }),
    itemsDone: 1_200,
    bytesDone: 12_000_000,
    startedAtMs: 1_000,
    itemsPerSecond: 120,
    bytesPerSecond: 1_200_000,
    ...fields,
  };
}

const view = (...transfers: TransferReport[]): TransfersView => ({
  nowMs: 0,
  transfers,
  unreachable: [],
});

describe('transfers rendering: figures', () => {
  it('formats bytes, durations and fractions', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(NaN)).toBe('unknown');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7_500)).toBe('2 h 5 min');
    expect(formatDuration(Infinity)).toBe('unknown');
    expect(fractionDone(5, 0)).toBe(1);
    expect(fractionDone(5, null)).toBeNull();
    expect(fractionDone(7, 5)).toBe(1);
  });

  it('estimates from the window rate, bytes first, else objects, else not at all', () => {
    expect(etaSeconds(sending())).toBe(15);
    expect(etaSeconds(sending({ bytesTotal: null }))).toBe(15);
    expect(etaSeconds(sending({ bytesPerSecond: 0, itemsPerSecond: 0 }))).toBeNull();
    expect(etaSeconds(sending({ bytesTotal: null, itemsTotal: null }))).toBeNull();
    expect(etaSeconds(sending({ bytesDone: 40_000_000 }))).toBe(0);
  });

  it('draws a bar of the given width, clamped to 0..100%', () => {
    expect(progressBar(0.4, 17)).toBe('[####------]  40%');
    expect(progressBar(0, 17)).toBe('[----------]   0%');
    expect(progressBar(1.5, 17)).toBe('[##########] 100%');
    expect(progressBar(NaN, 17)).toBe('[----------]   0%');
    for (const width of [1, 12, 40, 79]) {
      expect(progressBar(0.5, width).length).toBe(Math.max(12, width));
    }
  });
});

describe('transfers rendering: text', () => {
  it('shows a sending ownership transfer with figures, rate and ETA (piped: no bar)', () => {
    const text = renderTransfers(view(sending()), PIPE);
    expect(text).toBe(
      [
        'Ownership handoffs:',
        "  partition 12: 'dev1@h' => 'dev5@h', sending",
        '    objects 1,200 of 3,000, bytes 12.0 MB of 30.0 MB (40.0%)',
        '    rate 1.2 MB/s (last 10 s), ETA 15 s',
      ].join('\n'),
    );
  });

  it('adds a bar on a terminal, within its width', () => {
    for (const columns of [20, 80, 200]) {
      const lines = renderTransfers(view(sending()), { tty: true, columns }).split('\n');
      const bar = lines.find((l) => l.includes('['))!;
      expect(bar).toMatch(/\[#+-+\]\s+40%$/);
      expect(bar.length).toBeLessThanOrEqual(Math.max(columns, 17));
    }
  });

  it('says what it does not know: totals before counting, rate before two batches', () => {
    const counting = sending({
      state: 'counting',
      itemsDone: 0,
      bytesDone: 0,
      itemsTotal: null,
      bytesTotal: null,
      itemsPerSecond: null,
      bytesPerSecond: null,
    });
    const text = renderTransfers(view(counting), TTY);
    expect(text).toContain('counting objects');
    expect(text).toContain('objects 0 of a total unknown yet, bytes 0 B of a total unknown yet');
    expect(text).toContain('rate unknown yet, ETA unknown');
    expect(text).not.toContain('[');
  });

  it('never prints NaN or Infinity, whatever the figures (zero totals, zero rates)', () => {
    const odd = [
      sending({ itemsTotal: 0, bytesTotal: 0, itemsDone: 0, bytesDone: 0 }),
      sending({ bytesPerSecond: 0, itemsPerSecond: 0 }),
      sending({ bytesPerSecond: NaN, itemsPerSecond: Infinity }),
      sending({ startedAtMs: null, finishedAtMs: null, state: 'done' }),
      sending({ state: 'retrying', error: 'boom' }),
    ];
    for (const t of odd) {
      for (const layout of [PIPE, TTY]) {
        expect(renderTransfers(view(t), layout)).not.toMatch(/NaN|Infinity|undefined|null/);
      }
    }
    const empty = renderTransfers(view(odd[0]!), TTY);
    expect(empty).toContain('objects 0 of 0, bytes 0 B of 0 B (100.0%)');
  });

  it('puts every state in words, for both kinds', () => {
    const states: TransferState[] = [
      'waiting-target',
      'waiting-slot',
      'pending',
      'counting',
      'sending',
      'throttled',
      'retrying',
      'reporting',
      'dropping',
      'done',
    ];
    for (const kind of ['ownership', 'hinted'] as const) {
      for (const state of states) expect(stateWords(kind, state)).toMatch(/^[a-z][a-z ():_,.]+$/);
    }
    expect(stateWords('ownership', 'waiting-target')).toBe('waiting for the new owner to come up');
    expect(stateWords('hinted', 'waiting-target')).toBe('waiting for the primary to come up');
    expect(stateWords('ownership', 'reporting')).toBe('handing ownership over');
    const paced = sending({ state: 'throttled', itemsDone: 3_000, bytesDone: 30_000_000 });
    expect(renderTransfers(view(paced), PIPE)).toContain(
      'sending, paused by the rate limit (handoff.rate_mbps)',
    );
    expect(renderTransfers(view(paced), PIPE)).toContain('ETA finishing');
  });

  it('groups hints held for a down primary, with their counted totals', () => {
    const held = (partition: number, items: number) =>
      notStartedReport('hinted', { partition, from: 'dev2@h', to: 'dev4@h' }, 'waiting-target', {
        items,
        bytes: items * 1_000,
      });
    const text = renderTransfers(
      { nowMs: 0, transfers: [held(3, 10), held(9, 27)], unreachable: [] },
      PIPE,
    );
    expect(text).toBe(
      [
        'Hinted handoffs:',
        "  'dev2@h' => 'dev4@h': 2 partitions, waiting for the primary to come up",
        '    objects 37, bytes 37.0 kB held',
      ].join('\n'),
    );
  });

  it('keeps "No transfers active" first when only finished transfers remain', () => {
    const done = sending({
      state: 'done',
      itemsDone: 3_000,
      bytesDone: 30_000_000,
      finishedAtMs: 4_000,
    });
    const unreachable = [{ nodeId: 'dev3@h', reason: 'is down' }];
    const text = renderTransfers({ nowMs: 0, transfers: [done], unreachable }, PIPE);
    expect(text.split('\n')).toEqual([
      'No transfers active',
      '',
      'Finished in the last minute:',
      "  ownership partition 12: 'dev1@h' => 'dev5@h', done: objects 3,000, bytes 30.0 MB in 3 s",
      "'dev3@h' is down: its transfers are unknown",
    ]);
    expect(renderTransfers(view(), PIPE)).toBe('No transfers active');
  });

  it('shows the latest 10 finished transfers, and how many more there are', () => {
    const done = Array.from({ length: 14 }, (_, i) =>
      sending({ partition: i, state: 'done', startedAtMs: 0, finishedAtMs: 100 * i }),
    );
    const lines = renderTransfers(view(...done), PIPE).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'No transfers active',
      '',
      'Finished in the last minute:',
      '  (4 more, not shown)',
    ]);
    expect(lines).toHaveLength(14);
    expect(lines[4]).toMatch(/^ {2}ownership partition 4: .* in 400 ms$/);
  });

  it('strips control characters a node might send', () => {
    const text = renderTransfers(view(sending({ state: 'retrying', error: 'a\x1b[2Jb\nc' })), PIPE);
    expect(text).toContain('last error: a [2Jb c');
    expect(text).not.toContain('\x1b');
  });
});

describe('transfers rendering: waiting moves and older nodes', () => {
  const ring = (): Ring => {
    const base = singleNodeRing('dev1@h', 8);
    return {
      ...base,
      members: [...base.members, { nodeId: 'dev5@h', status: 'valid', address: '' }],
      nextOwners: base.nextOwners.map((_, p) => (p % 2 === 0 ? 'dev5@h' : null)),
    };
  };

  it('lists pending moves no node reports, waiting for a slot or for the new owner', () => {
    const started = [sending({ partition: 0 })];
    const up = new Set(['dev1@h', 'dev5@h']);
    const slots = waitingOwnership(ring(), up, started, new Set());
    expect(slots.map((t) => [t.partition, t.state])).toEqual([
      [2, 'waiting-slot'],
      [4, 'waiting-slot'],
      [6, 'waiting-slot'],
    ]);
    const down = waitingOwnership(ring(), new Set(['dev1@h']), [], new Set());
    expect(down.every((t) => t.state === 'waiting-target')).toBe(true);
    expect(waitingOwnership(ring(), up, [], new Set(['dev1@h']))).toEqual([]);
    const text = renderTransfers(view(...started, ...slots), PIPE);
    expect(text).toContain(
      "  'dev1@h' => 'dev5@h': 3 partitions, waiting for a transfer slot (transfer_limit)",
    );
    expect(text).toContain('    objects and bytes to send: counted when the transfer starts');
  });

  it("reads an older node's /admin/status transfers, and cluster-info's text uses them", () => {
    const legacy = {
      partition: 2,
      from: 'dev1@h',
      to: 'dev5@h',
      itemsSent: 0,
      itemsTotal: 0,
      bytesSent: 0,
      startedAtMs: 5,
      state: 'sending' as const,
    };
    expect(fromLegacyStatus(legacy)).toMatchObject({ state: 'counting', itemsTotal: null });
    const text = transfersText(ring(), [legacy], 10);
    expect(text).toContain("partition 2: 'dev1@h' => 'dev5@h', counting objects");
    expect(text).toContain("'dev1@h' => 'dev5@h': 3 partitions, waiting for a transfer slot");
    expect(transfersText(singleNodeRing('dev1@h', 8), [], 0)).toBe('No transfers active');
  });
});
