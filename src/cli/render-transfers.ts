/**
 * Renders `cairn-admin transfers` from plain data: every ownership handoff and hinted
 * handoff with its state in words, objects and bytes done of total, a rate averaged over a
 * window and an ETA, and a progress bar on a terminal (plain lines when piped). Pure, so
 * the layout is unit-tested as text. It must never print NaN, Infinity or a total it does
 * not know: what is unknown says so.
 */
import {
  notStartedReport,
  type TransferKind,
  type TransferReport,
  type TransferState,
} from '../../ring/core/transfer-progress.js';
import type { Ring } from '../../ring/core/ring.js';
import type { TransferStatus } from '../../ring/node/handoff.js';

/** What `transfers` shows: every node's transfers, and the nodes that did not answer. */
export interface TransfersView {
  nowMs: number;
  transfers: TransferReport[];
  /** Members whose transfers are unknown, and why (`is down`, `did not answer (…)`). */
  unreachable: { nodeId: string; reason: string }[];
}

/** How to lay the text out. */
export interface TransfersLayout {
  /** A terminal: progress bars. Piped: plain lines only. */
  tty: boolean;
  /** The terminal's width in columns (bars fit in it). */
  columns: number;
}

const OWNERSHIP_WORDS: Record<TransferState, string> = {
  'waiting-target': 'waiting for the new owner to come up',
  'waiting-slot': 'waiting for a transfer slot (transfer_limit)',
  pending: 'about to start',
  counting: 'counting objects',
  sending: 'sending',
  throttled: 'sending, paused by the rate limit (handoff.rate_mbps)',
  retrying: 'retrying after an error',
  reporting: 'handing ownership over',
  dropping: 'dropping the old copies',
  done: 'done',
};

const HINTED_WORDS: Record<TransferState, string> = {
  ...OWNERSHIP_WORDS,
  'waiting-target': 'waiting for the primary to come up',
  'waiting-slot': 'waiting for the next hint round',
  pending: 'primary is up: starts at the next hint round',
  reporting: 'sending',
  dropping: 'removing the returned hints',
};

/** A state in words, as the README explains it. */
export function stateWords(kind: TransferKind, state: TransferState): string {
  return (kind === 'hinted' ? HINTED_WORDS : OWNERSHIP_WORDS)[state] ?? String(state);
}

const NOT_STARTED: ReadonlySet<TransferState> = new Set([
  'waiting-target',
  'waiting-slot',
  'pending',
]);

/** `1234567` → `1.2 MB` (decimal units, as rates are given in MB/s). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Whole seconds as `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Done of total in 0..1; null when the total is unknown. A total of 0 is complete. */
export function fractionDone(done: number, total: number | null): number | null {
  if (total === null || !Number.isFinite(total) || !Number.isFinite(done)) return null;
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, done / total));
}

/** Seconds left at the window's rate (bytes if both are known, else objects); null if not. */
export function etaSeconds(t: TransferReport): number | null {
  const by = (done: number, total: number | null, perSecond: number | null) =>
    total !== null && perSecond !== null && perSecond > 0 && Number.isFinite(perSecond)
      ? Math.max(0, total - done) / perSecond
      : null;
  return (
    by(t.bytesDone, t.bytesTotal, t.bytesPerSecond) ??
    by(t.itemsDone, t.itemsTotal, t.itemsPerSecond)
  );
}

/** `[#####-----]  50%`, `width` columns in all (at least 12). */
export function progressBar(fraction: number, width: number): string {
  const inner = Math.max(5, Math.floor(width) - 7);
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.floor(f * inner);
  const percent = `${Math.floor(f * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(inner - filled)}] ${percent}`;
}

/** Strips control characters from text a node sent, so it cannot drive the terminal. */
function clean(text: string, max = 200): string {
  const plain = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

function ofTotal(done: string, total: string | null): string {
  return total === null ? `${done} of a total unknown yet` : `${done} of ${total}`;
}

/** The objects/bytes line and the rate/ETA line of a transfer that has started. */
function figureLines(t: TransferReport): string[] {
  const objects = ofTotal(count(t.itemsDone), t.itemsTotal === null ? null : count(t.itemsTotal));
  const bytes = ofTotal(
    formatBytes(t.bytesDone),
    t.bytesTotal === null ? null : formatBytes(t.bytesTotal),
  );
  const fraction =
    fractionDone(t.bytesDone, t.bytesTotal) ?? fractionDone(t.itemsDone, t.itemsTotal);
  const percent = fraction === null ? '' : ` (${(fraction * 100).toFixed(1)}%)`;
  const lines = [`    objects ${objects}, bytes ${bytes}${percent}`];
  const window = formatDuration(t.rateWindowMs / 1000);
  const rate =
    t.bytesPerSecond === null || !Number.isFinite(t.bytesPerSecond)
      ? 'rate unknown yet'
      : `rate ${formatBytes(t.bytesPerSecond)}/s (last ${window})`;
  const eta = etaSeconds(t);
  const etaText = eta === null ? 'unknown' : eta === 0 ? 'finishing' : formatDuration(eta);
  lines.push(`    ${rate}, ETA ${etaText}`);
  return lines;
}

function startedBlock(t: TransferReport, layout: TransfersLayout): string[] {
  const head =
    `  partition ${t.partition}: '${clean(t.from)}' => '${clean(t.to)}', ` +
    stateWords(t.kind, t.state);
  const lines = [head, ...figureLines(t)];
  if (t.error) lines.push(`    last error: ${clean(t.error)}`);
  const fraction =
    fractionDone(t.bytesDone, t.bytesTotal) ?? fractionDone(t.itemsDone, t.itemsTotal);
  if (layout.tty && fraction !== null) {
    lines.push(`    ${progressBar(fraction, Math.min(60, Math.max(12, layout.columns - 5)))}`);
  }
  return lines;
}

/** Transfers not started yet, one line per sender, receiver and state. */
function waitingLines(waiting: readonly TransferReport[]): string[] {
  const groups = new Map<string, TransferReport[]>();
  for (const t of waiting) {
    const key = JSON.stringify([t.from, t.to, t.state]);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    const t = group[0]!;
    const noun = group.length === 1 ? 'partition' : 'partitions';
    lines.push(
      `  '${clean(t.from)}' => '${clean(t.to)}': ${group.length} ${noun}, ` +
        stateWords(t.kind, t.state),
    );
    const sum = (f: (r: TransferReport) => number | null) =>
      group.every((r) => f(r) !== null) ? group.reduce((s, r) => s + f(r)!, 0) : null;
    const items = sum((r) => r.itemsTotal);
    const bytes = sum((r) => r.bytesTotal);
    const what = t.kind === 'hinted' ? 'held' : 'to send';
    lines.push(
      items === null || bytes === null
        ? `    objects and bytes to send: counted when the transfer starts`
        : `    objects ${count(items)}, bytes ${formatBytes(bytes)} ${what}`,
    );
  }
  return lines;
}

const ORDER: TransferState[] = [
  'sending',
  'throttled',
  'reporting',
  'dropping',
  'counting',
  'retrying',
];

function byOrder(a: TransferReport, b: TransferReport): number {
  return (
    ORDER.indexOf(a.state) - ORDER.indexOf(b.state) ||
    a.from.localeCompare(b.from) ||
    a.partition - b.partition
  );
}

/** Finished transfers shown, the latest; --json lists them all. */
const DONE_SHOWN = 10;

/** A finished transfer on one line. */
function doneLine(t: TransferReport): string {
  const tookMs = (t.finishedAtMs ?? 0) - (t.startedAtMs ?? t.finishedAtMs ?? 0);
  const took =
    tookMs < 1000 ? `${Math.max(0, Math.round(tookMs))} ms` : formatDuration(tookMs / 1000);
  return (
    `  ${t.kind} partition ${t.partition}: '${clean(t.from)}' => '${clean(t.to)}', done: ` +
    `objects ${count(t.itemsDone)}, bytes ${formatBytes(t.bytesDone)} in ${took}`
  );
}

/**
 * The whole `transfers` text. `No transfers active` (what scripts wait for) comes first
 * whenever nothing is left to do; transfers finished in the last minute follow it.
 */
export function renderTransfers(view: TransfersView, layout: TransfersLayout): string {
  const lines: string[] = [];
  const active = view.transfers.filter((t) => t.state !== 'done');
  const sections: [TransferKind, string][] = [
    ['ownership', 'Ownership handoffs'],
    ['hinted', 'Hinted handoffs'],
  ];
  for (const [kind, title] of sections) {
    const all = active.filter((t) => t.kind === kind);
    if (all.length === 0) continue;
    const started = all.filter((t) => !NOT_STARTED.has(t.state)).sort(byOrder);
    if (lines.length > 0) lines.push('');
    lines.push(`${title}:`, ...waitingLines(all.filter((t) => NOT_STARTED.has(t.state))));
    for (const t of started) lines.push(...startedBlock(t, layout));
  }
  if (lines.length === 0) lines.push('No transfers active');
  const done = view.transfers.filter((t) => t.state === 'done').sort(byFinish);
  if (done.length > 0) lines.push('', 'Finished in the last minute:');
  if (done.length > DONE_SHOWN) lines.push(`  (${done.length - DONE_SHOWN} more, not shown)`);
  lines.push(...done.slice(-DONE_SHOWN).map(doneLine));
  for (const u of view.unreachable) {
    lines.push(`'${clean(u.nodeId)}' ${clean(u.reason)}: its transfers are unknown`);
  }
  return lines.join('\n');
}

function byFinish(a: TransferReport, b: TransferReport): number {
  return (a.finishedAtMs ?? 0) - (b.finishedAtMs ?? 0) || a.partition - b.partition;
}

/**
 * Ownership moves the ring has pending that no sender reports as started: waiting for a
 * slot, or for their new owner to come up. Moves of a sender that did not answer are left
 * out (its line says so).
 */
export function waitingOwnership(
  ring: Ring,
  upNodes: ReadonlySet<string>,
  reported: readonly TransferReport[],
  unanswered: ReadonlySet<string>,
): TransferReport[] {
  const running = new Set(
    reported.filter((t) => t.kind === 'ownership' && t.state !== 'done').map((t) => t.partition),
  );
  const out: TransferReport[] = [];
  ring.nextOwners.forEach((to, partition) => {
    const from = ring.owners[partition]!;
    if (!to || running.has(partition) || unanswered.has(from)) return;
    const state = upNodes.has(to) ? 'waiting-slot' : 'waiting-target';
    out.push(notStartedReport('ownership', { partition, from, to }, state, null));
  });
  return out;
}

/** A transfer as a node before /admin/transfers served it (in /admin/status). */
export function fromLegacyStatus(t: TransferStatus): TransferReport {
  const counted = t.itemsTotal > 0 || t.itemsSent > 0;
  return {
    ...notStartedReport(
      'ownership',
      { partition: t.partition, from: t.from, to: t.to },
      t.state === 'sending' && !counted ? 'counting' : t.state,
      null,
    ),
    itemsDone: t.itemsSent,
    itemsTotal: counted ? t.itemsTotal : null,
    bytesDone: t.bytesSent,
    startedAtMs: t.startedAtMs,
  };
}
