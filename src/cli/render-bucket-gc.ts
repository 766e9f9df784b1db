/**
 * The deleted-bucket collection's lines of `cairn-admin gc status`: for each collector, the
 * pass under way (partitions done of those it owns) or the last one, and what it removed.
 * Pure, so the layout is tested as text.
 */
import type {
  BucketCollectCounts,
  BucketCollectProgress,
} from '../objects/bucket-collector-progress.js';
import { formatIsoBasic } from '../usage/core/iso8601.js';

function countsText(counts: BucketCollectCounts): string {
  return (
    `${counts.records} records of ${counts.collectedIds} deleted bucket ids removed, ` +
    `${counts.scanned} ids scanned, ${counts.unknown} unknown left alone`
  );
}

/** "  Name: value" lines, one per collector (none when there is no collector). */
export function bucketGcLines(collectors: readonly BucketCollectProgress[]): string[] {
  return collectors.map((c) => {
    const owned = c.partitionsOwned ?? 0;
    const what = c.current
      ? `pass running since ${formatIsoBasic(c.current.startedMs)}, ` +
        `${c.current.counts.partitions} of ${owned} partitions, ${countsText(c.current.counts)}`
      : c.lastPass
        ? `last pass finished ${formatIsoBasic(c.lastPass.finishedMs)} over ${owned} ` +
          `partitions, ${countsText(c.lastPass.counts)}`
        : 'no pass yet';
    return `  Deleted-bucket collector ${c.workerId}: ${what}`;
  });
}
