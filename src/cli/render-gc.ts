/**
 * `cairn-admin gc status` as riak-cs-admin gc status printed it: a state line, then
 * "  Name: value" details, Riak CS's first and Cairn's own after. Pure, so the layout is
 * tested as text.
 */
import type { BucketCollectProgress } from '../objects/bucket-collector-progress.js';
import { formatIsoBasic } from '../usage/core/iso8601.js';
import { bucketGcLines } from './render-bucket-gc.js';

/** The JSON of GET /riak-cs/gc, as far as the text uses it. */
export interface GcStatusJson {
  due: number;
  pending: number;
  blockSetsDue: number;
  oldestDueMs?: number;
  oldestQueuedMs?: number;
  leewaySeconds: number;
  intervalSeconds: number | 'infinity';
  paused: boolean;
  configured?: { intervalSeconds: number | 'infinity'; leewaySeconds: number };
  batch?: { running: boolean; startedAtMs?: number; finishedAtMs?: number; collected: number };
  workers: Array<{
    workerId: string;
    lastCollect?: { startedAtMs: number; finishedAtMs: number; collected: number };
    nextCollectMs?: number;
  }>;
  lastSweep?: { finishedAtMs: number; blocksRemoved: number; blocksScanned: number };
  /** The deleted-bucket collectors' records (absent from servers older than them). */
  deletedBuckets?: BucketCollectProgress[];
}

const time = (ms: number | undefined) => (ms === undefined ? 'unknown/never' : formatIsoBasic(ms));

/** The status text. */
export function gcStatusText(status: GcStatusJson, nowMs: number): string {
  const batch = status.batch;
  const lines = [
    batch?.running
      ? 'A garbage collection batch is in progress'
      : 'There is no garbage collection in progress',
  ];
  const detail = (name: string, value: string | number) => lines.push(`  ${name}: ${value}`);
  detail(
    'The current garbage collection interval is',
    status.intervalSeconds === 'infinity'
      ? 'infinity (i.e. gc is disabled)'
      : status.intervalSeconds,
  );
  detail('The current garbage collection leeway time is', status.leewaySeconds);
  if (status.paused) detail('Paused', 'yes, until cairn-admin gc resume');
  const lasts = status.workers.flatMap((w) => (w.lastCollect ? [w.lastCollect] : []));
  const nexts = status.workers.flatMap((w) => (w.nextCollectMs ? [w.nextCollectMs] : []));
  detail('Next run scheduled for', status.paused ? 'undefined' : time(min(nexts)));
  detail('Last run started at', time(max(lasts.map((l) => l.startedAtMs))));
  if (batch?.running && batch.startedAtMs !== undefined) {
    detail('Current run started at', time(batch.startedAtMs));
    detail('Elapsed time of current run', Math.round((nowMs - batch.startedAtMs) / 1000));
    detail('Files deleted in current run', batch.collected);
  }
  detail('Entries due', `${status.due} (${status.blockSetsDue} block sets)`);
  detail('Entries pending (within the leeway)', status.pending);
  detail('Oldest due entry', time(status.oldestDueMs));
  for (const w of status.workers) {
    const last = w.lastCollect;
    const what = last ? `${last.collected} collected at ${time(last.finishedAtMs)}` : 'no pass yet';
    detail(`Collector ${w.workerId}`, what);
  }
  const sweep = status.lastSweep;
  if (sweep) {
    const removed = `${sweep.blocksRemoved} of ${sweep.blocksScanned} blocks removed`;
    detail('Last orphan sweep', `${time(sweep.finishedAtMs)}, ${removed}`);
  }
  lines.push(...bucketGcLines(status.deletedBuckets ?? []));
  return lines.join('\n') + '\n';
}

function min(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}

function max(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}
