/**
 * Access statistics per user, as Riak CS's access log kept them: per operation, a request
 * count and bytes in and out, with errors counted apart (UserError… for 4xx, SystemError…
 * for 5xx) so that a client hammering a missing key does not look like traffic served.
 */

/** Riak CS's fields (Count, BytesIn, UserErrorCount, …) → totals. */
export type AccessStats = Record<string, number>;

/** Operation name → its stats. */
export type OperationStats = Record<string, AccessStats>;

/** The fields one request adds. */
export function accessFields(
  status: number,
  bytesIn: number,
  bytesOut: number,
  complete: boolean,
): AccessStats {
  const prefix = status >= 500 ? 'SystemError' : status >= 400 ? 'UserError' : '';
  const fields: AccessStats = { [`${prefix}Count`]: 1 };
  if (bytesIn > 0) fields[`${prefix}BytesIn`] = bytesIn;
  if (bytesOut > 0) fields[`${prefix}BytesOut${complete ? '' : 'Incomplete'}`] = bytesOut;
  return fields;
}

/** Adds `fields` into `into` (mutates it: this runs once per request, on a private map). */
export function addAccessFields(into: AccessStats, fields: AccessStats): void {
  for (const [name, value] of Object.entries(fields)) into[name] = (into[name] ?? 0) + value;
}

/** Merges two operation tables into a new one. */
export function mergeOperationStats(a: OperationStats, b: OperationStats): OperationStats {
  const merged: OperationStats = {};
  for (const table of [a, b]) {
    for (const [op, stats] of Object.entries(table)) {
      addAccessFields((merged[op] ??= {}), stats);
    }
  }
  return merged;
}

/** One archived slice of one front end's accesses for one user. */
export interface AccessSample {
  node: string;
  startMs: number;
  endMs: number;
  ops: OperationStats;
}
