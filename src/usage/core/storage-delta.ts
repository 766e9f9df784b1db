/**
 * Storage accounting as counters, not scans: every manifest commit changes a bucket's
 * {objects, bytes} by a delta computed from the version it replaced, and a bucket's usage
 * is the sum of every writer's running totals. These are the pure rules; the shell keeps
 * the deltas in memory and flushes them (src/usage/storage-counters.ts).
 *
 * The counters mirror what a scan of the bucket's manifests counts: one object per key, of
 * the size of the version readers see. Concurrent writers that each saw no version both
 * count +1 (the scan sees one key with siblings): the reconciler's correction fixes that.
 */

/** Objects and bytes of a bucket (or a delta of them; either may be negative). */
export interface Usage {
  objects: number;
  bytes: number;
}

/** No objects, no bytes. */
export const ZERO_USAGE: Readonly<Usage> = Object.freeze({ objects: 0, bytes: 0 });

/**
 * The change a commit makes: `before` is the size of the version readers saw (undefined:
 * no live version), `after` the size of the new one (undefined: a delete).
 */
export function commitDelta(before: number | undefined, after: number | undefined): Usage {
  const objects = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
  return { objects, bytes: (after ?? 0) - (before ?? 0) };
}

/** a + b. */
export function addUsage(a: Usage, b: Usage): Usage {
  return { objects: a.objects + b.objects, bytes: a.bytes + b.bytes };
}

/** a − b. */
export function subtractUsage(a: Usage, b: Usage): Usage {
  return { objects: a.objects - b.objects, bytes: a.bytes - b.bytes };
}

/** Whether a delta changes nothing. */
export function isZeroUsage(u: Usage): boolean {
  return u.objects === 0 && u.bytes === 0;
}

/** One writer's record in the counters keyspace: its running totals for one bucket. */
export interface CounterRecord extends Usage {
  /** Incremented on every write by its writer: the greater wins among siblings. */
  seq: number;
  updatedMs: number;
}

/** Encodes a counter record. */
export function encodeCounter(record: CounterRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

/** Decodes a counter record; a damaged one reads as zero rather than poisoning the sum. */
export function decodeCounter(value: Buffer): CounterRecord {
  try {
    const r = JSON.parse(value.toString('utf8')) as Partial<CounterRecord>;
    const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
    return { objects: n(r.objects), bytes: n(r.bytes), seq: n(r.seq), updatedMs: n(r.updatedMs) };
  } catch {
    return { objects: 0, bytes: 0, seq: 0, updatedMs: 0 };
  }
}

/** Sibling resolution for counter records: the writer's latest write (highest seq). */
export function newestCounter(values: Buffer[]): Buffer {
  let best = values[0]!;
  for (const value of values.slice(1)) {
    const a = decodeCounter(best);
    const b = decodeCounter(value);
    if (b.seq > a.seq || (b.seq === a.seq && Buffer.compare(value, best) > 0)) best = value;
  }
  return best;
}

/** The sum of writers' records. */
export function sumCounters(records: Iterable<Usage>): Usage {
  let total: Usage = ZERO_USAGE;
  for (const r of records) total = addUsage(total, r);
  return total;
}

/**
 * The correction the reconciler writes so that the sum over every writer equals `counted`:
 * `others` is the sum of every writer's record but the correction's own.
 */
export function correctionFor(counted: Usage, others: Usage): Usage {
  return subtractUsage(counted, others);
}
